// The lobby board: the latest calls large, recent calls, waiting per service or department,
// the hall's notices and the clock; it announces every call it shows.
//
// Calls come from live events and are shown and announced at once. Waiting counts and
// estimates are recomputed by the server, so after a change the board fetches them again
// (a moment later, so many boards do not ask at the same instant) and every minute.
// For tests and the latency bench the page exposes window.hallqBoard.
(function (global) {
  "use strict";

  var D = global.HallDisplay;
  var config = D.config;
  var MISSED_CALL_SECONDS = 30; // calls missed while away are still announced if this recent
  var OVER_LIMIT_MINUTES = 120; // the server's wait_forecast.CAP_MINUTES
  var FRESH_MS = 15000; // a new call stays highlighted this long
  var PAGE_SECONDS = 10; // waiting pages rotate this often
  var REFRESH_SECONDS = 60;

  function $(id) { return document.getElementById(id); }

  var state = {
    hall: config.hall,
    windows: [],
    calls: [], // every call and recall heard, newest first: the recent calls come from these
    calling: {}, // window id -> the call of the ticket that window is calling now
    rank: 0, // calls are ranked in the order they were made, the newest highest
    waiting: [],
    totalWaiting: 0,
    fresh: {}, // call key -> time it stops being highlighted
    snapshots: 0,
    waitingPage: 0,
  };
  var renders = []; // {ticketId, number, window, kind, at: Date.now()} once a call is on screen
  var announcer = new global.HallAnnouncer({ baseUrl: config.voice_url, settings: D.settings.voice });

  function settings() { return D.settings; }

  function callFromEvent(name, ticket) {
    var window = ticket.window || {};
    return {
      rank: ++state.rank,
      key: ticket.id + "@" + (name === "ticket.recalled" ? "r" + ticket.recall_count : ticket.called_at),
      ticketId: ticket.id,
      number: ticket.number,
      windowId: window.id,
      windowNumber: window.number,
      windowName: window.name,
      serviceId: ticket.service && ticket.service.id,
      name: ticket.holder_display_name,
      action: name === "ticket.recalled" ? "recalled" : "called",
      at: name === "ticket.recalled" ? null : ticket.called_at,
    };
  }

  function callFromSnapshot(entry, rank) {
    return {
      rank: rank,
      key: entry.ticket_id + "@" + entry.at,
      ticketId: entry.ticket_id,
      number: entry.ticket_number,
      windowId: entry.window_id,
      windowNumber: entry.window_number,
      windowName: entry.window_name,
      serviceId: entry.service_id,
      name: entry.holder_display_name,
      action: entry.action,
      at: entry.at,
    };
  }

  function shown(call) {
    var s = settings();
    if (s.window_ids && s.window_ids.indexOf(call.windowId) < 0) return false;
    if (s.service_ids && s.service_ids.indexOf(call.serviceId) < 0) return false;
    return true;
  }

  // What a window is calling now, from a snapshot's window: its ticket while it is "called"
  // (not yet being served, parked, finished...). The newest call of that ticket heard at that
  // window, or one made from the ticket when the call is older than the snapshot's history.
  function callingFromWindow(window, calls) {
    var ticket = window.current_ticket;
    if (!ticket || ticket.status !== "called") return null;
    var known = calls.filter(function (call) {
      return call.ticketId === ticket.id && call.windowId === window.id;
    })[0];
    if (known) return known;
    return {
      rank: 0, key: ticket.id + "@" + ticket.called_at, ticketId: ticket.id, number: ticket.number,
      windowId: window.id, windowNumber: window.number, windowName: window.name,
      serviceId: ticket.service && ticket.service.id, name: ticket.holder_display_name,
      action: "called", at: ticket.called_at,
    };
  }

  // Now calling: one call a window, the ticket it calls now, newest call first.
  function callingNow() {
    return Object.keys(state.calling).map(function (id) { return state.calling[id]; })
      .filter(shown)
      .sort(function (a, b) { return b.rank - a.rank; });
  }

  // Recent calls: the newest call of each ticket no window is calling any more, newest first.
  function recentCalls() {
    var seen = {}, result = [];
    callingNow().forEach(function (call) { seen[call.ticketId] = true; });
    state.calls.forEach(function (call) {
      if (seen[call.ticketId] || !shown(call)) return;
      seen[call.ticketId] = true;
      result.push(call);
    });
    return result;
  }

  function isCalling(ticketId) {
    return Object.keys(state.calling).some(function (id) { return state.calling[id].ticketId === ticketId; });
  }

  function stopCalling(ticketId) {
    Object.keys(state.calling).forEach(function (id) {
      if (state.calling[id].ticketId === ticketId) delete state.calling[id];
    });
  }

  function windowLabel(call) {
    return D.label("window_number", { number: call.windowNumber });
  }

  function nameHtml(call) {
    if (settings().numbers_only || !call.name) return "";
    return '<div class="call-name">' + D.escapeHtml(D.maskName(call.name)) + "</div>";
  }

  function smallCallHtml(call, className) {
    return '<div class="' + className + '" data-ticket-id="' + call.ticketId + '">' +
      '<span class="call-number">' + D.escapeHtml(call.number) + "</span>" +
      '<span class="call-window">' + windowLabel(call) + "</span>" + nameHtml(call) + "</div>";
  }

  function renderCalls() {
    var s = settings(), calling = callingNow(), now = Date.now();
    // The newest calls large; windows still calling beyond those stay under "now calling",
    // smaller, rather than fall among the calls that are over.
    var latest = calling.slice(0, s.latest_count);
    var more = calling.slice(s.latest_count);
    var recent = recentCalls().slice(0, s.recent_count);
    $("latest-calls").style.setProperty("--latest", Math.max(1, latest.length));
    $("latest-calls").innerHTML = latest.length ? latest.map(function (call) {
      var fresh = (state.fresh[call.key] || 0) > now ? " fresh" : "";
      return '<div class="latest-call' + fresh + '" data-ticket-id="' + call.ticketId + '">' +
        '<div class="call-number">' + D.escapeHtml(call.number) + "</div>" +
        '<div class="call-window">' + windowLabel(call) + "</div>" + nameHtml(call) + "</div>";
    }).join("") : '<div class="no-calls">' + D.label("no_calls_now") + "</div>";
    $("also-calling").style.setProperty("--columns", s.columns);
    $("also-calling").innerHTML = more.map(function (call) {
      return smallCallHtml(call, "also-calling-call" + ((state.fresh[call.key] || 0) > now ? " fresh" : ""));
    }).join("");
    $("recent-calls").style.setProperty("--columns", s.columns);
    $("recent-calls").innerHTML = recent.map(function (call) { return smallCallHtml(call, "recent-call"); }).join("");
    fitRecentRows();
  }

  // More calls than the screen has room for (a big layout, a small screen, many windows
  // calling at once): leave out the oldest whole rows rather than show one cut in half by the
  // bottom of its panel; windows still calling keep their room before the recent calls.
  function fitRows(rows, bottom) {
    var cut = false;
    for (var j = 0; j < rows.length; j++) {
      cut = cut || rows[j].getBoundingClientRect().bottom > bottom + 0.5;
      rows[j].hidden = cut;
    }
  }

  function fitRecentRows() {
    var more = $("also-calling").children, rows = $("recent-calls").children;
    for (var i = 0; i < more.length; i++) more[i].hidden = false;
    for (var k = 0; k < rows.length; k++) rows[k].hidden = false;
    var column = document.querySelector(".calls-column").getBoundingClientRect().bottom;
    fitRows(more, column);
    fitRows(rows, document.querySelector(".recent").getBoundingClientRect().bottom);
  }

  // The services this board's waiting panel covers.
  function waitingServices() {
    var s = settings();
    var rows = state.waiting.slice();
    if (s.service_ids) {
      return rows.filter(function (row) { return s.service_ids.indexOf(row.service_id) >= 0; });
    }
    if (s.window_ids) {
      var served = {};
      state.windows.forEach(function (window) {
        if (s.window_ids.indexOf(window.id) < 0) return;
        (window.services || []).forEach(function (service) { served[service.id] = true; });
      });
      return rows.filter(function (row) { return served[row.service_id]; });
    }
    return rows;
  }

  function departmentRows(services) {
    var byId = {}, order = [];
    services.forEach(function (row) {
      var group = byId[row.department_id];
      if (!group) {
        var department = config.departments.filter(function (d) { return d.id === row.department_id; })[0] || {};
        group = byId[row.department_id] = {
          key: "d" + row.department_id, name: department.name || "", name_en: department.name_en,
          waiting: 0, open_windows: 0, low: null, high: null,
        };
        order.push(group);
      }
      group.waiting += row.waiting;
      group.open_windows += row.open_windows;
      // A department's wait runs from its quickest service to its slowest, each taken at the
      // middle of its own range (the extremes of the ranges would say little).
      var estimate = row.estimated_wait_for_new_ticket;
      if (estimate && row.open_windows) {
        var middle = (estimate.low_minutes + estimate.high_minutes) / 2;
        group.low = group.low === null ? middle : Math.min(group.low, middle);
        group.high = group.high === null ? middle : Math.max(group.high, middle);
      }
    });
    function rounded(minutes) { return minutes < 10 ? Math.round(minutes) : 5 * Math.round(minutes / 5); }
    return order.map(function (group) {
      // Over two hours is no number: a department whose quickest service is that long says so.
      group.estimate = group.low === null ? null
        : group.low >= OVER_LIMIT_MINUTES ? { over_limit: true }
        : { low_minutes: rounded(group.low), high_minutes: rounded(Math.min(group.high, OVER_LIMIT_MINUTES)) };
      return group;
    });
  }

  function waitingRows() {
    var s = settings(), services = waitingServices();
    var byDepartment = s.waiting_by === "department" ||
      (s.waiting_by === "auto" && services.length > s.waiting_rows && config.departments.length > 1);
    var rows = byDepartment ? departmentRows(services) : services.map(function (row) {
      return {
        key: "s" + row.service_id, name: row.name, name_en: row.name_en, waiting: row.waiting,
        open_windows: row.open_windows, estimate: row.estimated_wait_for_new_ticket,
      };
    });
    return { byDepartment: byDepartment, rows: rows };
  }

  // As many rows a page as the panel holds whole, never more than the board's setting: long
  // service names take two lines, and a 5:4 screen's panel is narrower.
  function renderWaiting() {
    var s = settings(), table = waitingRows();
    for (var perPage = s.waiting_rows; ; perPage--) {
      renderWaitingPage(table, perPage);
      if (perPage <= 1 || waitingFits()) return;
    }
  }

  function renderWaitingPage(table, perPage) {
    var pages = Math.max(1, Math.ceil(table.rows.length / perPage));
    state.waitingPage = state.waitingPage % pages;
    var page = table.rows.slice(state.waitingPage * perPage, (state.waitingPage + 1) * perPage);
    $("waiting-head").innerHTML = "<tr><th>" + D.label(table.byDepartment ? "column_department" : "column_service") +
      '</th><th class="count">' + D.label("column_waiting") + "</th><th>" + D.label("column_estimate") + "</th></tr>";
    $("waiting-body").innerHTML = page.map(function (row) {
      return '<tr data-row="' + row.key + '"><td class="what">' + D.names(row.name, row.name_en) + "</td>" +
        '<td class="count">' + D.label("people", { count: row.waiting }) + "</td>" +
        '<td class="estimate">' + D.estimateText(row.estimate, row.open_windows, row.waiting) + "</td></tr>";
    }).join("");
    var total = table.rows.reduce(function (sum, row) { return sum + row.waiting; }, 0);
    $("waiting-total").innerHTML = D.label("total_waiting", { count: total });
    $("waiting-pages").textContent = pages > 1 ? (state.waitingPage + 1) + " / " + pages : "";
  }

  // The total under the table is inside the panel (a hidden panel fits whatever it holds).
  function waitingFits() {
    var panel = document.querySelector(".waiting");
    if (!panel.getClientRects().length) return true;
    var inside = panel.getBoundingClientRect().bottom - parseFloat(getComputedStyle(panel).paddingBottom);
    return document.querySelector(".waiting-foot").getBoundingClientRect().bottom <= inside + 0.5;
  }

  function renderHeader() {
    var hall = state.hall || {};
    $("hall-name").innerHTML = D.names(hall.name, hall.name_en);
    $("board-title").textContent = settings().title || "";
    var lines = hall.notice_lines || [];
    $("notice-text").textContent = lines.join("　·　");
    $("notices").classList.toggle("empty", !lines.length);
  }

  function renderPanels() {
    var panels = settings().panels || [];
    document.querySelectorAll("[data-panel]").forEach(function (element) {
      element.hidden = panels.indexOf(element.dataset.panel) < 0;
    });
    document.body.classList.toggle("no-waiting-panel", panels.indexOf("waiting") < 0);
  }

  function renderAll() {
    D.applyLabels();
    renderPanels();
    renderHeader();
    renderCalls();
    renderWaiting();
  }

  function fadeHighlights() {
    var now = Date.now(), faded = false;
    Object.keys(state.fresh).forEach(function (key) {
      if (state.fresh[key] <= now) {
        delete state.fresh[key];
        faded = true;
      }
    });
    if (faded) renderCalls();
  }

  function announce(call, kind) {
    announcer.announce({ ticketId: call.ticketId, number: call.number, window: call.windowNumber, kind: kind });
  }

  function isKnown(entry) {
    return state.calls.some(function (known) {
      if (known.ticketId !== entry.ticketId) return false;
      if (known.at && entry.at) return Date.parse(known.at) === Date.parse(entry.at);
      return known.action === entry.action;
    });
  }

  function applySnapshot(snapshot) {
    var first = state.snapshots++ === 0;
    var history = snapshot.recent_calls || [];
    var calls = history.map(function (entry, i) { return callFromSnapshot(entry, history.length - i); });
    state.rank = history.length;
    // What each window calls now is the snapshot's word: calls that ended while the board was
    // away leave "now calling", whatever the board had heard before.
    var calling = {};
    (snapshot.windows || []).forEach(function (window) {
      var call = callingFromWindow(window, calls);
      if (call) calling[window.id] = call;
    });
    // Calls made while the board was away: say them now if they are recent and still on.
    var missed = first ? [] : calls.filter(function (call) {
      var age = (Date.parse(snapshot.server_time) - Date.parse(call.at)) / 1000;
      var stillCalling = calling[call.windowId] && calling[call.windowId].ticketId === call.ticketId;
      return stillCalling && !isKnown(call) && shown(call) && age <= MISSED_CALL_SECONDS;
    });
    state.hall = snapshot.hall;
    state.windows = snapshot.windows || [];
    state.calls = calls;
    state.calling = calling;
    state.waiting = snapshot.waiting || [];
    state.totalWaiting = snapshot.total_waiting || 0;
    missed.reverse().forEach(function (call) {
      state.fresh[call.key] = Date.now() + FRESH_MS;
      announce(call, call.action === "recalled" ? "recall" : "call");
    });
    renderAll();
  }

  function onCall(name, message) {
    var call = callFromEvent(name, message.ticket);
    state.calls.unshift(call);
    if (state.calls.length > 40) state.calls.length = 40;
    // One call a window: this ticket takes its window's place under "now calling".
    stopCalling(call.ticketId);
    if (call.windowId !== undefined) state.calling[call.windowId] = call;
    if (!shown(call)) return;
    state.fresh[call.key] = Date.now() + FRESH_MS;
    renderCalls();
    renders.push({ ticketId: call.ticketId, number: call.number, window: call.windowNumber,
                   kind: call.action, at: Date.now() });
    if (renders.length > 500) renders.splice(0, renders.length - 500);
    announce(call, name === "ticket.recalled" ? "recall" : "call");
    refreshWaitingSoon();
  }

  var refreshTimer = null;
  function refreshWaitingSoon() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(refreshWaiting, 1500 + Math.random() * 2500);
  }

  function refreshWaiting() {
    clearTimeout(refreshTimer);
    refreshTimer = null;
    return fetch(config.board_url, { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("board " + response.status);
        return response.json();
      })
      .then(function (snapshot) {
        state.waiting = snapshot.waiting || [];
        state.totalWaiting = snapshot.total_waiting || 0;
        state.windows = snapshot.windows || state.windows;
        renderWaiting();
      })
      .catch(function (error) { console.warn("waiting not refreshed", error); });
  }

  // Any other change of a ticket: once it is no longer "called" (being served, finished, not
  // come, cancelled, transferred, parked, back in the queue) no window is calling it.
  function onTicketChanged(message) {
    var ticket = message.ticket;
    if (ticket && ticket.status !== "called" && isCalling(ticket.id)) {
      stopCalling(ticket.id);
      renderCalls();
    }
    refreshWaitingSoon();
  }

  function onWindowChanged(message) {
    var changed = message.window;
    state.windows = state.windows.map(function (window) {
      return window.id === changed.id ? Object.assign({}, window, changed) : window;
    });
    refreshWaitingSoon();
  }

  function onIssued(message) {
    var ticket = message.ticket;
    state.waiting.forEach(function (row) {
      if (ticket.service && row.service_id === ticket.service.id) row.waiting += 1;
    });
    renderWaiting();
    refreshWaitingSoon();
  }

  function start() {
    D.startClock($("clock-time"), $("clock-date"));
    D.onSettings(function (newSettings) {
      announcer.configure(newSettings.voice);
      renderAll();
    });
    D.applySettings(D.settings);
    announcer.configure(D.settings.voice);
    announcer.preload();
    announcer.on("blocked", function () { $("sound-blocked").hidden = false; });
    document.addEventListener("pointerdown", function () {
      announcer.unlock().then(function () { $("sound-blocked").hidden = true; });
    });
    function fitToScreen() { fitRecentRows(); renderWaiting(); }
    global.addEventListener("resize", fitToScreen);
    if (document.fonts) document.fonts.ready.then(fitToScreen);
    var live = D.connect();
    live.on("snapshot", applySnapshot);
    live.on("ticket.called", function (message) { onCall("ticket.called", message); });
    live.on("ticket.recalled", function (message) { onCall("ticket.recalled", message); });
    live.on("ticket.issued", onIssued);
    // A change of the hall's plan moves every estimate: the rota, the calling policy, a service.
    ["ticket.no_show", "ticket.requeued", "ticket.transferred", "ticket.cancelled",
     "ticket.finished", "ticket.parked", "ticket.started"].forEach(function (name) {
      live.on(name, onTicketChanged);
    });
    ["rota.changed", "calling_policy.changed", "service.changed"].forEach(function (name) {
      live.on(name, refreshWaitingSoon);
    });
    live.on("window.changed", onWindowChanged);
    live.on("hall.changed", function (message) {
      if (message.hall) state.hall = message.hall;
      renderHeader();
    });
    live.start();
    setInterval(function () {
      state.waitingPage += 1;
      renderWaiting();
      fadeHighlights();
    }, PAGE_SECONDS * 1000);
    setInterval(refreshWaiting, REFRESH_SECONDS * 1000);
    global.hallqBoard = { state: state, live: live, announcer: announcer, renders: renders, settings: settings,
                          callingNow: callingNow, recentCalls: recentCalls };
    global.hallqAnnouncer = announcer;
  }

  start();
})(window);
