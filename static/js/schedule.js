// Offers the viewer's own time zone in the schedule's time zone switch (no inline script:
// the page's Content-Security-Policy refuses it). Without JavaScript one types a zone.
(function () {
  "use strict";
  function offerZone() {
    var input = document.getElementById("schedule-tz");
    if (!input || input.value) return;
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    // Filled in, not opened: the panel stays folded so the programme comes first on a phone.
    if (zone && zone !== input.getAttribute("data-meeting-zone")) input.value = zone;
  }
  document.addEventListener("DOMContentLoaded", offerZone);
  // htmx replaces the switch along with the schedule: offer the zone again.
  document.addEventListener("htmx:afterSettle", offerZone);
})();
