// The check-in page: scan a badge's QR code with the phone's camera, then send its code as
// if typed. The browser's own BarcodeDetector reads it where there is one (Chrome on
// Android, Safari 17+); elsewhere jsQR (vendored, Apache-2.0) is loaded the first time the
// camera is used, and reads the video's frames drawn on a canvas. Without a camera, or with
// JavaScript off, a badge reader or typing the code works, as does the name search. No
// inline script: the Content-Security-Policy refuses it.
(function () {
  "use strict";
  var decoderLoading = null;

  function loadDecoder(url) {
    if (window.jsQR) return Promise.resolve();
    if (!decoderLoading) {
      decoderLoading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = url;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return decoderLoading;
  }

  // A function that reads a code from the video's current frame: a promise of the text, or
  // of null when it sees none.
  function reader(button, video) {
    if ("BarcodeDetector" in window) {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return Promise.resolve(function () {
        return detector.detect(video).then(function (codes) {
          return codes.length ? codes[0].rawValue : null;
        });
      });
    }
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    return loadDecoder(button.dataset.decoder).then(function () {
      return function () {
        if (!video.videoWidth) return Promise.resolve(null);
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var frame = context.getImageData(0, 0, canvas.width, canvas.height);
        var found = window.jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "dontInvert" });
        return Promise.resolve(found ? found.data : null);
      };
    });
  }

  function start(button) {
    var form = button.closest("[data-checkin-form]");
    var video = form.querySelector("[data-scan-video]");
    var input = form.querySelector("input[name=token]");
    button.disabled = true;
    Promise.all([
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }),
      reader(button, video),
    ]).then(function (ready) {
      var stream = ready[0], read = ready[1];
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      function stop() {
        stream.getTracks().forEach(function (track) { track.stop(); });
        video.hidden = true;
        button.disabled = false;
      }
      function look() {
        read().then(function (text) {
          if (text) {
            stop();
            input.value = text;
            form.requestSubmit();
          } else {
            window.setTimeout(look, 150);
          }
        }).catch(stop);
      }
      look();
    }).catch(function () {
      // No camera, or not allowed: the code field is there.
      button.hidden = true;
      input.focus();
    });
  }

  function setUp() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
    document.querySelectorAll("[data-scan]").forEach(function (button) { button.hidden = false; });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-scan]");
    if (button) start(button);
  });
  document.addEventListener("DOMContentLoaded", setUp);
  document.addEventListener("htmx:afterSettle", setUp);
})();
