// The check-in page: scan a badge's QR code with the phone's camera where the browser has
// a BarcodeDetector (Chrome on Android, Safari on iOS 17+), then send its code as if typed.
// Elsewhere the button stays hidden: a badge reader or typing the code works everywhere,
// and with JavaScript off. No inline script: the Content-Security-Policy refuses it.
(function () {
  "use strict";

  function start(button) {
    var form = button.closest("[data-checkin-form]");
    var video = form.querySelector("[data-scan-video]");
    var input = form.querySelector("input[name=token]");
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      function stop() {
        stream.getTracks().forEach(function (track) { track.stop(); });
        video.hidden = true;
      }
      function look() {
        detector.detect(video).then(function (codes) {
          if (codes.length) {
            stop();
            input.value = codes[0].rawValue;
            form.requestSubmit();
          } else {
            window.requestAnimationFrame(look);
          }
        }).catch(stop);
      }
      look();
    }).catch(function () {
      button.hidden = true;
      input.focus();
    });
  }

  function setUp() {
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
    document.querySelectorAll("[data-scan]").forEach(function (button) { button.hidden = false; });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-scan]");
    if (button) start(button);
  });
  document.addEventListener("DOMContentLoaded", setUp);
  document.addEventListener("htmx:afterSettle", setUp);
})();
