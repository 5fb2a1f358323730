// What the kiosk and the phone page say about hours beside a refusal: a service outside its
// issuing hours ("Tickets 08:30–11:30"), and under "the hall is closed" its hours today and
// when tickets are given again. A schedule comes as the server reads it (hall_server/operations/issuing_hours.py):
// each weekday's spans, Monday first, ["08:30", "11:30"]; null for one that is always open. The
// day and time of day are the hall's (its time zone), whatever the screen's own.
(function () {
  "use strict";

  var WEEKDAYS = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };
  var DAY_MS = 24 * 60 * 60 * 1000;
  var fill = window.HallqWaitText.fill;

  // The hall's weekday (0 = Monday) and time of day ("09:05") at `moment`.
  function hallTime(timeZone, moment) {
    var parts = {};
    new Intl.DateTimeFormat("en-US", {
      timeZone: timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).formatToParts(moment).forEach(function (part) { parts[part.type] = part.value; });
    return { weekday: WEEKDAYS[parts.weekday], clock: parts.hour + ":" + parts.minute };
  }

  function spansText(spans) {
    return spans.map(function (span) { return span[0] + "–" + span[1]; }).join(" ");
  }

  // A service outside its issuing hours: its hours today, "no tickets today", or "" when its
  // schedule is not at hand.
  function serviceHours(T, weekly, timeZone, moment) {
    if (!weekly) return "";
    var today = weekly[hallTime(timeZone, moment).weekday] || [];
    return today.length ? fill(T.issuing_hours_today, { hours: spansText(today) })
      : T.no_tickets_today;
  }

  // The first span that starts after `moment`: {days: 0 for today, 1 for tomorrow…, at}.
  function nextStart(weekly, local) {
    for (var days = 0; days <= 7; days += 1) {
      var spans = weekly[(local.weekday + days) % 7] || [];
      for (var i = 0; i < spans.length; i += 1) {
        if (days > 0 || spans[i][0] > local.clock) return { days: days, at: spans[i][0] };
      }
    }
    return null;
  }

  function dayName(T, locale, timeZone, moment, days) {
    if (days === 0) return T.today;
    if (days === 1) return T.tomorrow;
    return new Intl.DateTimeFormat(locale === "zh" ? "zh-CN" : "en-GB", {
      timeZone: timeZone, weekday: locale === "zh" ? "short" : "long",
    }).format(new Date(moment.getTime() + days * DAY_MS));
  }

  // The lines under "the hall is closed": its opening hours today, and when tickets are given
  // again. None when its schedule is not at hand.
  function hallLines(T, locale, weekly, timeZone, moment) {
    if (!weekly) return [];
    var local = hallTime(timeZone, moment);
    var today = weekly[local.weekday] || [];
    var lines = [today.length ? fill(T.opening_hours_today, { hours: spansText(today) })
      : T.closed_today];
    var next = nextStart(weekly, local);
    if (next) {
      lines.push(fill(T.tickets_again_from, {
        when: dayName(T, locale, timeZone, moment, next.days), time: next.at,
      }));
    }
    return lines;
  }

  window.HallqHours = { serviceHours: serviceHours, hallLines: hallLines, hallTime: hallTime };
})();
