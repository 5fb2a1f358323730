// What the kiosk and the visitor's phone pages say about a wait: one wording for the kiosk's
// confirmation, the phone page for taking a ticket and the ticket's status page.
(function () {
  "use strict";

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (_m, key) {
      return values[key] === undefined ? "" : values[key];
    });
  }

  // `estimate` as the API gives it (null when no window can serve the ticket now); `T` holds
  // the page's texts (no_window_now, over_limit, under_a_minute, minutes_point, minutes_range).
  function waitText(T, estimate) {
    if (!estimate) return T.no_window_now;
    // Capped at the server's limit: "over 2 hours", never "about 120 minutes".
    if (estimate.over_limit) return T.over_limit;
    if (estimate.high_minutes === 0) return T.under_a_minute;
    if (estimate.low_minutes === estimate.high_minutes) {
      return fill(T.minutes_point, { n: estimate.low_minutes });
    }
    return fill(T.minutes_range, { low: estimate.low_minutes, high: estimate.high_minutes });
  }

  window.HallqWaitText = { fill: fill, waitText: waitText };
})();
