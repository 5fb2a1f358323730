// All halls a manager looks after, the worst off first (critical alerts, then the longest wait
// against each hall's target, then how many wait). Each hall's live events refresh the table;
// a hall's name opens its dashboard.
(function () {
  "use strict";

  var M = window.Manager;
  var T = M.text;
  var $ = M.$;
  var esc = M.esc;
  var REFRESH_MS = 20000;
  var MAX_LIVE_HALLS = 40; // beyond this the table refreshes on the clock only

  var state = { loading: false, again: false, following: {} };

  function load() {
    if (state.loading) { state.again = true; return; }
    state.loading = true;
    M.api("GET", "/manager/network").then(function (answer) {
      state.loading = false;
      if (!answer.ok) M.showRefusal(answer.error);
      else render(answer.data);
      if (state.again) { state.again = false; load(); }
    });
  }

  function alertsText(summary) {
    if (!summary.alerts.length) return "—";
    var critical = summary.critical_alerts;
    return M.fill(T.alert_counts, { critical: critical, warning: summary.alerts.length - critical });
  }

  function render(data) {
    $("updated-at").textContent = M.fill(T.updated_at, { time: M.clock(data.server_time) });
    $("total-halls").textContent = data.totals.halls;
    $("total-waiting").textContent = data.totals.total_waiting;
    $("total-issued").textContent = data.totals.issued;
    $("total-served").textContent = data.totals.served;
    $("total-alerts").textContent = data.totals.critical_alerts;
    $("halls-body").innerHTML = data.halls.map(function (summary) {
      var hall = summary.hall, today = summary.today, states = summary.window_states;
      var late = summary.longest_wait_seconds !== null && summary.longest_wait_seconds > summary.target_wait_minutes * 60;
      return '<tr data-hall="' + hall.id + '" data-bad="' + (summary.critical_alerts > 0 || late) + '">' +
        '<td><a href="/manager/?hall=' + hall.id + '">' + esc(M.named(hall)) + '</a> <span class="muted">' + esc(T.levels[hall.level] || hall.level) + "</span></td>" +
        '<td class="num waiting">' + summary.total_waiting + '</td><td class="num">' + M.duration(summary.longest_wait_seconds) + "</td>" +
        "<td>" + esc(M.fill(T.window_counts, states)) + "</td>" +
        '<td class="num">' + today.issued + '</td><td class="num">' + today.served + '</td><td class="num">' + today.no_shows + "</td>" +
        '<td class="num">' + M.minutes(today.wait_mean_seconds) + '</td><td class="num">' + M.minutes(today.wait_p90_seconds) + "</td>" +
        '<td class="num">' + M.percent(today.service_level) + '</td><td class="num">' + (today.rating_average === null ? "—" : M.number(today.rating_average, 2)) + "</td>" +
        '<td class="alerts-cell">' + esc(alertsText(summary)) + "</td></tr>";
    }).join("");
    data.halls.slice(0, MAX_LIVE_HALLS).forEach(function (summary) {
      var id = summary.hall.id;
      if (!state.following[id]) state.following[id] = M.follow(id, load, 2000);
    });
  }

  M.start(function () {
    load();
    setInterval(load, REFRESH_MS);
  });
})();
