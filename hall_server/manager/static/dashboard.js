// The manager's dashboard of one hall. Every live event of the hall (and a reconnect) makes it
// read the figures again, a few at a time; a slow clock refresh keeps waits that grow by
// themselves current. Actions are API calls; their events bring the new state back.
(function () {
  "use strict";

  var M = window.Manager;
  var T = M.text;
  var $ = M.$;
  var esc = M.esc;
  var REFRESH_MS = 15000;

  var state = { hallId: null, data: null, loading: false, again: false, recorded: null, allAlerts: false };

  function load() {
    if (state.loading) { state.again = true; return; }
    state.loading = true;
    M.api("GET", "/manager/halls/" + state.hallId + "/dashboard").then(function (answer) {
      state.loading = false;
      if (!answer.ok) { M.showRefusal(answer.error); }
      else { state.data = answer.data; render(); }
      if (state.again) { state.again = false; load(); }
    });
  }

  function loadHistory() {
    M.api("GET", "/manager/halls/" + state.hallId + "/alerts").then(function (answer) {
      if (!answer.ok) return;
      $("alert-history").innerHTML = answer.data.map(function (alert) {
        var cleared = alert.cleared_at ? M.fill(T.cleared_at, { time: M.clock(alert.cleared_at) }) : T.still_open;
        return "<li>" + M.clock(alert.raised_at) + " " + esc(alertText(alert)) + " · " + esc(cleared) + "</li>";
      }).join("") || "<li>" + esc(T.none) + "</li>";
    });
  }

  // The messages for the online platforms not yet acknowledged (平台回传): a message behind an
  // undelivered one of its platform waits for that one, whatever its own next attempt says.
  function loadOutbox() {
    M.api("GET", "/halls/" + state.hallId + "/outbox?status=pending").then(function (answer) {
      if (!answer.ok) return;
      var messages = answer.data;
      $("outbox-count").textContent = messages.length ? M.fill(T.outbox_waiting, { count: messages.length }) : "";
      $("outbox-empty").hidden = messages.length > 0;
      $("outbox-table").hidden = messages.length === 0;
      $("outbox-body").innerHTML = messages.map(function (message) {
        var next = message.held_back_by
          ? M.fill(T.outbox_held_back, { id: message.held_back_by })
          : M.clock(message.next_attempt_at);
        return '<tr data-message="' + message.id + '"' + (message.held_back_by ? ' data-held-back="true"' : "") + ">" +
          '<td class="num">' + message.id + "</td><td>" + esc(message.platform) + "</td>" +
          '<td class="kind">' + esc(T.outbox_kinds[message.kind] || message.kind) + "</td>" +
          "<td>" + esc(M.clock(message.created_at)) + '</td><td class="num attempts">' + message.attempts + "</td>" +
          '<td class="last-error">' + esc(message.last_error || "—") + '</td><td class="next-attempt">' + esc(next) + "</td></tr>";
      }).join("");
    });
  }

  // ----- words -----

  function alertText(alert) {
    var d = alert.detail || {};
    var values = {
      service: localName(d.service_name, d.service_name_en),
      number: d.ticket_number, minutes: d.waited_minutes, threshold: d.threshold_minutes,
      window: d.window_number, waiting: d.waiting, device: d.device_name,
      kind: T.device_kinds[d.device_kind] || d.device_kind,
      reason: T.pause_reasons[d.pause_reason] || "",
    };
    var template = T.alerts[alert.kind] || alert.kind;
    if (alert.kind === "idle_window" && d.window_status === "paused") {
      template = T.alerts.paused_window;
      // A pause of planned minutes: a break until its planned end (a warning), then overrun
      // (the server makes it critical once the end has passed).
      if (d.pause_planned_until) {
        values.until = M.clock(d.pause_planned_until);
        template = alert.severity === "critical" ? T.alerts.planned_break_overrun : T.alerts.planned_break;
      }
    }
    return M.fill(template, values);
  }

  function localName(name, nameEn) { return M.locale === "en" && nameEn ? nameEn : name; }

  function windowState(window) {
    var text = T.window_status[window.status] || window.status;
    // A pause dates from when it began: a change of the window's services does not move it.
    var since = window.paused_at || window.status_changed_at;
    if (window.status === "paused" && window.pause_reason) text += " · " + (T.pause_reasons[window.pause_reason] || window.pause_reason);
    return '<span class="state" data-status="' + esc(window.status) + '">' + esc(text) + "</span>" +
      (since ? ' <span class="muted">' + esc(M.fill(T.since, { time: M.clock(since) })) + "</span>" : "");
  }

  // In the words the lobby board and the kiosk use ("no wait", "about 3 min"):
  // kiosk/static/wait_text.js holds the rules.
  function estimateText(estimate) {
    return window.HallqWaitText.waitText(T.wait_words, estimate);
  }

  // A wait in whole minutes ("60 min"), as the alerts count it; seconds under the first minute.
  function waited(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    if (seconds < 60) return M.fill(T.seconds, { seconds: Math.round(seconds) });
    return M.fill(T.minutes, { minutes: Math.floor(seconds / 60) });
  }

  // ----- rendering -----

  function render() {
    var data = state.data;
    document.body.dataset.seq = String(data.seq);
    M.useHallClock(data.hall.time_zone);
    $("hall-name").textContent = M.named(data.hall);
    $("hall-date").textContent = data.date;
    $("updated-at").textContent = M.fill(T.updated_at, { time: M.clock(data.server_time) });
    renderAlerts(data.alerts);
    renderFigures(data);
    renderServices(data.now);
    renderWindows(data.now);
    renderDevices(data.now.devices);
    renderCharts(data);
    if (document.activeElement !== $("notice-lines")) $("notice-lines").value = (data.hall.notice_lines || []).join("\n");
    // The record changes when the background check raises or clears one: read it again then.
    var recorded = data.date + JSON.stringify(data.alerts.map(function (a) { return [a.key, a.raised_at]; }));
    if (recorded !== state.recorded) {
      state.recorded = recorded;
      loadHistory();
    }
  }

  // Critical first, then the longest-standing first; only the first few show until the manager
  // asks for the rest, so a flood of banners does not push the figures off the screen.
  var ALERTS_SHOWN = 4;

  function alertStart(alert) {
    var since = alert.since || alert.raised_at;
    return since ? Date.parse(since) : Infinity;
  }

  function alertOrder(a, b) {
    var critical = (b.severity === "critical") - (a.severity === "critical");
    if (critical) return critical;
    var start = alertStart(a) - alertStart(b);
    if (start) return start;
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  }

  function renderAlerts(alerts) {
    $("no-alerts").textContent = T.no_alerts;
    $("no-alerts").dataset.loading = "false";
    $("no-alerts").hidden = alerts.length > 0;
    var ordered = alerts.slice().sort(alertOrder);
    var hiddenCount = Math.max(0, ordered.length - ALERTS_SHOWN);
    if (!hiddenCount) state.allAlerts = false;
    $("alert-list").innerHTML = ordered.map(function (alert, i) {
      var since = alert.since || alert.raised_at;
      var extra = i >= ALERTS_SHOWN ? ' data-extra="true"' + (state.allAlerts ? "" : " hidden") : "";
      return '<li data-severity="' + esc(alert.severity) + '" data-kind="' + esc(alert.kind) + '" data-key="' + esc(alert.key) + '"' + extra + ">" +
        esc(alertText(alert)) + (since ? ' <span class="since">' + esc(M.fill(T.since, { time: M.clock(since) })) + "</span>" : "") + "</li>";
    }).join("");
    var more = $("alert-more");
    more.hidden = !hiddenCount;
    more.setAttribute("aria-expanded", String(!!state.allAlerts));
    more.textContent = state.allAlerts ? T.fewer_alerts : M.fill(T.more_alerts, { count: hiddenCount });
  }

  function renderFigures(data) {
    var today = data.today, now = data.now;
    $("figure-waiting").textContent = now.total_waiting;
    var longest = now.longest_wait;
    $("figure-longest").textContent = longest ? waited(longest.seconds) : "—";
    $("figure-longest-note").textContent = longest ? longest.ticket_number + " · " + localName(longest.service_name, longest.service_name_en) : "";
    $("figure-longest").parentNode.dataset.bad = String(!!longest && longest.seconds > today.target_wait_minutes * 60);
    $("figure-issued").textContent = today.issued;
    $("figure-served").textContent = today.served;
    $("figure-no-shows").textContent = today.no_shows;
    $("figure-wait-mean").textContent = M.minutes(today.wait_mean_seconds);
    $("figure-wait-p90").textContent = M.minutes(today.wait_p90_seconds);
    $("figure-handling").textContent = M.minutes(today.handling_mean_seconds);
    $("figure-target-label").textContent = M.fill(T.within_target, { minutes: today.target_wait_minutes });
    $("figure-service-level").textContent = M.percent(today.service_level);
    $("figure-ratings").textContent = today.rating_average === null ? "—" : M.fill(T.rating_of_five, { average: M.number(today.rating_average, 2) });
    $("figure-ratings-note").textContent = M.fill(T.ratings_note, { count: today.ratings, good: M.percent(today.rating_good_share) });
  }

  // The places of today's quota taken: the tickets issued for the service and not cancelled
  // (operations/daily_quota.py). The dashboard's rows carry `issued_today`, which counts the
  // cancelled ones too; `quota_taken`, where the server gives it, is the exact count.
  function quotaTaken(row) {
    return row.quota_taken === undefined || row.quota_taken === null ? row.issued_today : row.quota_taken;
  }

  // What a visitor taking a ticket now is told: no ticket at all once the quota is used up.
  function newTicketText(row) {
    if (row.daily_quota === 0) return T.not_issuing_today;
    if (row.daily_quota !== null && quotaTaken(row) >= row.daily_quota) return T.fully_booked;
    return estimateText(row.estimated_wait_for_new_ticket);
  }

  function renderServices(now) {
    var target = state.data.today.target_wait_minutes * 60;
    $("services-body").innerHTML = now.services.map(function (row) {
      var bad = row.longest_wait_seconds !== null && row.longest_wait_seconds > target;
      var quota = row.daily_quota === null ? T.no_quota : row.daily_quota;
      return '<tr data-service="' + row.service_id + '" data-bad="' + bad + '"><td>' + esc(M.named(row)) + ' <span class="muted">' + esc(row.prefix) + "</span></td>" +
        '<td class="num waiting">' + row.waiting + '</td><td class="num">' + waited(row.longest_wait_seconds) + "</td>" +
        '<td class="new-ticket">' + esc(newTicketText(row)) + '</td><td class="num">' + row.open_windows + "</td>" +
        '<td class="num">' + row.issued_today + " / " + esc(quota) + "</td>" +
        '<td class="actions"><button type="button" class="small" data-action="quota" data-id="' + row.service_id + '">' + esc(T.change_quota) + "</button></td></tr>";
    }).join("");
    $("departments-body").innerHTML = now.departments.map(function (row) {
      return '<tr data-department="' + row.department_id + '"><td>' + esc(M.named(row)) + '</td><td class="num">' + row.waiting +
        '</td><td class="num">' + waited(row.longest_wait_seconds) + "</td></tr>";
    }).join("");
  }

  function actionButton(action, window, label, reason) {
    // Not now: the title says why, and so does a click (the button still hears it).
    var blocked = reason ? ' aria-disabled="true" title="' + esc(reason) + '"' : "";
    return '<button type="button" class="small" data-action="window-' + action + '" data-id="' + window.id + '"' + blocked + ">" + esc(label) + "</button>";
  }

  // A window with a case at it (called, served or parked) cannot close: its clerk deals with
  // the case first, or a manager frees the window for another clerk, who finds the case there.
  function closeBlocked(window) {
    var ticket = window.current_ticket;
    return ticket ? M.fill(T.close_blocked, { number: ticket.number }) : "";
  }

  // A window nobody holds neither opens nor resumes (the server refuses: no_clerk): a clerk
  // takes it at the counter first.
  function clerkMissing(window) {
    return window.clerk ? "" : T.no_clerk_reason;
  }

  function windowActions(window) {
    var buttons = [];
    if (window.status === "closed") buttons.push(actionButton("open", window, T.open_window, clerkMissing(window)));
    if (window.status === "open") buttons.push(actionButton("pause", window, T.pause_window));
    if (window.status === "paused") buttons.push(actionButton("resume", window, T.resume_window, clerkMissing(window)));
    if (window.status !== "closed") buttons.push(actionButton("close", window, T.close_window, closeBlocked(window)));
    // Another clerk's window (a manager at a window leaves it on the counter page).
    if (window.clerk && window.clerk.id !== M.state.user.id) buttons.push(actionButton("release", window, T.free_window));
    buttons.push(actionButton("services", window, T.change_services));
    return buttons.join("");
  }

  // Who holds the window: the clerk's name and staff number, on one line.
  function holder(window) {
    if (!window.clerk) return "—";
    return esc(window.clerk.name) + ' <span class="muted">' + esc(window.clerk.staff_number) + "</span>";
  }

  function prefixes(services) {
    return services.map(function (s) { return s.prefix; }).filter(function (prefix, i, all) {
      return all.indexOf(prefix) === i;
    }).join(" ");
  }

  function renderWindows(now) {
    var states = now.window_states;
    $("window-states").textContent = M.fill(T.window_counts, states);
    $("windows-body").innerHTML = now.windows.map(function (window) {
      var ticket = window.current_ticket;
      var at = "—";
      if (ticket) {
        var since = ticket.started_at || ticket.called_at;
        at = "<strong>" + esc(ticket.number) + "</strong> " + esc(T.ticket_status[ticket.status] || ticket.status) +
          ' <span class="muted">' + esc(M.fill(T.since, { time: M.clock(since) })) + "</span>";
      }
      return '<tr data-window="' + window.id + '" data-status="' + esc(window.status) + '"><td class="window-name">' + window.number + " " + esc(M.named(window)) + "</td>" +
        '<td class="window-state">' + windowState(window) + '</td><td class="holder">' + holder(window) + "</td>" +
        '<td class="serving">' + at + "</td><td>" + esc(prefixes(window.services)) + "</td>" +
        '<td class="actions">' + windowActions(window) + "</td></tr>";
    }).join("");
  }

  function renderDevices(devices) {
    $("devices-body").innerHTML = devices.map(function (device) {
      var printer = device.kind === "kiosk" && device.printer_status
        ? '<span class="state" data-status="' + esc(device.printer_status) + '">' + esc(T.printer_status[device.printer_status] || device.printer_status) + "</span>"
        : "—";
      var seen = device.last_seen_at === null ? T.never_seen : M.clock(device.last_seen_at);
      var online = device.online === false ? ' <span class="state" data-status="offline">' + esc(T.offline) + "</span>" : "";
      return '<tr data-device="' + device.id + '"><td>' + esc(device.name) + "</td><td>" + esc(T.device_kinds[device.kind] || device.kind) +
        "</td><td>" + printer + "</td><td>" + esc(seen) + online + "</td></tr>";
    }).join("");
  }

  function renderCharts(data) {
    var charts = data.charts;
    window.ManagerCharts.line($("chart-waiting"), charts.waiting_through_day.map(function (p) {
      return { label: p.time, value: p.waiting };
    }), T.no_data);
    window.ManagerCharts.bars($("chart-hours"), charts.per_hour.map(function (h) {
      return { label: String(h.hour).padStart(2, "0") + ":00", values: [h.arrivals, h.served] };
    }), [{ name: T.arrivals }, { name: T.served }], T.no_data, true);
    window.ManagerCharts.bars($("chart-waits"), charts.wait_distribution.map(function (b) {
      return { label: b.to_minutes === null ? b.from_minutes + "+" : b.from_minutes + "–" + b.to_minutes, values: [b.count] };
    }), [{ name: T.tickets }], T.no_data, false);
  }

  // ----- actions -----

  function services() {
    return state.data.now.services.map(function (s) { return { value: s.service_id, label: s.prefix + " " + M.named(s) }; });
  }

  function findWindow(id) {
    return state.data.now.windows.filter(function (w) { return w.id === id; })[0];
  }

  function changeWindow(id, change, reason, minutes) {
    var body = { change: change };
    if (reason) body.reason = reason;
    if (minutes) body.pause_minutes = minutes; // none: a break at its rota time lasts the rota's
    return M.act("POST", "/windows/" + id + "/state", body, T.done).then(function (answer) { load(); return answer; });
  }

  // Frees a window whose clerk has gone: with nothing at it, it closes; with a case at it, it
  // pauses and the case stays there for whichever clerk takes the window next.
  function freeWindow(id) {
    var window = findWindow(id);
    var ticket = window.current_ticket;
    var values = {
      number: window.number, clerk: window.clerk ? window.clerk.name : "", ticket: ticket ? ticket.number : "",
    };
    M.askForm(M.fill(T.free_window_title, values), [], function () {
      return M.act("POST", "/windows/" + id + "/release", undefined, T.done).then(function (answer) { load(); return answer; });
    }, M.fill(ticket ? T.free_window_keeps_case : T.free_window_closes, values), { label: T.free_window, danger: true });
  }

  function changeOrSayWhyNot(id, change) {
    var reason = clerkMissing(findWindow(id));
    if (reason) { M.showMessage(reason, "info"); return; }
    changeWindow(id, change);
  }

  var PAUSE_MINUTES = [10, 15, 30, 60];

  var ACTIONS = {
    "window-open": function (id) { changeOrSayWhyNot(id, "open"); },
    "window-resume": function (id) { changeOrSayWhyNot(id, "resume"); },
    "window-close": function (id) {
      var reason = closeBlocked(findWindow(id));
      if (reason) { M.showMessage(reason, "info"); return; }
      changeWindow(id, "close");
    },
    "window-release": freeWindow,
    "window-pause": function (id) {
      var window = findWindow(id);
      M.askForm(M.fill(T.pause_title, { number: window.number }), [
        { name: "reason", label: T.reason, type: "select", value: "break",
          options: Object.keys(T.pause_reasons).map(function (k) { return { value: k, label: T.pause_reasons[k] }; }) },
        { name: "pause_minutes", label: T.pause_length, type: "select", value: "", numbers: true,
          options: [{ value: "", label: T.no_set_time }].concat(PAUSE_MINUTES.map(function (minutes) {
            return { value: minutes, label: M.fill(T.minutes, { minutes: minutes }) };
          })) },
      ], function (values) { return changeWindow(id, "pause", values.reason, values.pause_minutes); });
    },
    "window-services": function (id) {
      var window = findWindow(id);
      M.askForm(M.fill(T.services_title, { number: window.number }), [
        { name: "service_ids", label: T.services_label, type: "checkboxes", numbers: true,
          value: window.services.map(function (s) { return s.id; }), options: services() },
      ], function (values) {
        return M.act("PUT", "/windows/" + id + "/services", { service_ids: values.service_ids }, T.done)
          .then(function (answer) { load(); return answer; });
      }, T.services_note);
    },
    quota: function (id) {
      var row = state.data.now.services.filter(function (s) { return s.service_id === id; })[0];
      M.askForm(M.fill(T.quota_title, { service: M.named(row) }), [
        { name: "daily_quota", label: T.quota_label, type: "number", value: row.daily_quota, placeholder: T.no_quota,
          named: T.service_fields.daily_quota, min: 0, max: 100000 },
      ], function (values) {
        return M.act("PATCH", "/services/" + id, { daily_quota: values.daily_quota }, T.done)
          .then(function (answer) { load(); return answer; });
      });
    },
  };

  function wire() {
    $("alert-more").addEventListener("click", function () {
      state.allAlerts = !state.allAlerts;
      renderAlerts(state.data.alerts);
    });
    $("page-view").addEventListener("click", function (event) {
      var button = event.target.closest("button[data-action]");
      if (!button || !ACTIONS[button.dataset.action]) return;
      ACTIONS[button.dataset.action](Number(button.dataset.id));
    });
    $("notice-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var lines = $("notice-lines").value.split("\n").map(function (l) { return l.trim(); }).filter(Boolean);
      M.act("POST", "/halls/" + state.hallId + "/notice", { lines: lines }, T.notice_sent).then(function (answer) {
        if (answer.ok) { $("notice-lines").blur(); load(); }
      });
    });
  }

  M.start(function (user) {
    state.hallId = M.hallParam(user);
    if (state.hallId !== user.hall_id) {
      var up = $("hall-up");
      up.href = "/city/";
      up.textContent = T.back_to_city;
      up.hidden = false;
    }
    wire();
    load();
    loadOutbox();
    M.follow(state.hallId, load, 1000);
    setInterval(function () { load(); loadOutbox(); }, REFRESH_MS);
  });
})();
