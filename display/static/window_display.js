// The window display: the window's number and name, the ticket being served, the clerk, the
// services it handles and its state (open, paused with a reason, closed). It follows the
// hall's live events for its own window only. For tests it exposes window.hallqWindowDisplay.
(function (global) {
  "use strict";

  var D = global.HallDisplay;
  var config = D.config;
  var AT_WINDOW = ["called", "serving"];
  var SERVICES_SHOWN = 6;

  function $(id) { return document.getElementById(id); }

  var state = { window: null, current: null };
  var renders = [];
  var announcer = new global.HallAnnouncer({ baseUrl: config.voice_url, settings: D.settings.voice });

  function renderHeader() {
    var window = state.window;
    if (!window) return;
    $("window-number").innerHTML = D.label("window_number", { number: window.number });
    $("window-name").innerHTML = D.names(window.name, window.name_en);
    var badge = $("window-state");
    badge.className = "window-state state-" + window.status;
    badge.dataset.status = window.status;
    var html = D.label("status_" + window.status);
    if (window.status === "paused") html += D.label("reason_" + (window.pause_reason || "other"));
    badge.innerHTML = html;
    document.body.dataset.windowStatus = window.status;
  }

  function renderServing() {
    var window = state.window, ticket = state.current;
    if (!window) return;
    var closedNotice = $("closed-notice");
    if (window.status !== "open" && !ticket) {
      $("serving").hidden = true;
      closedNotice.hidden = false;
      closedNotice.innerHTML = '<div class="closed-state">' + D.label("status_" + window.status) +
        "</div>" + '<div class="closed-advice">' + D.label("please_use_other_windows") + "</div>";
      return;
    }
    closedNotice.hidden = true;
    $("serving").hidden = false;
    $("serving").dataset.ticketId = ticket ? ticket.id : "";
    if (!ticket) {
      $("serving-label").innerHTML = D.label("waiting_for_next");
      $("serving-number").textContent = "";
      $("serving-name").textContent = "";
      $("serving-status").innerHTML = "";
      return;
    }
    // Called: the visitor is on the way ("please come"); serving: the case is under way. A
    // window paused or closed with a case still at it says it stops after that case.
    var heading = window.status !== "open" ? "last_case_" + window.status
      : ticket.status === "serving" ? "now_serving" : "come_to_this_window";
    $("serving-label").innerHTML = D.label(heading);
    $("serving-label").dataset.heading = heading;
    $("serving-number").textContent = ticket.number;
    $("serving-name").textContent =
      D.settings.numbers_only || !ticket.holder_display_name ? "" : D.maskName(ticket.holder_display_name);
    $("serving-status").innerHTML = D.label(ticket.status === "serving" ? "ticket_serving" : "ticket_called");
  }

  function renderFooter() {
    var window = state.window;
    if (!window) return;
    var clerk = window.clerk;
    $("clerk").innerHTML = clerk
      ? '<span class="clerk-role">' + D.label("clerk") + '</span><span class="clerk-name">' +
        D.escapeHtml(clerk.name) + '</span><span class="clerk-number">' + D.label("staff_number") +
        '<span class="value">' + D.escapeHtml(clerk.staff_number) + "</span></span>"
      : "";
    var services = window.services || [];
    var names = services.slice(0, SERVICES_SHOWN).map(function (service) {
      return '<li>' + D.names(service.name, service.name_en) + "</li>";
    });
    if (services.length > SERVICES_SHOWN) {
      names.push('<li class="more">' + D.label("more_services", { count: services.length - SERVICES_SHOWN }) + "</li>");
    }
    $("services").innerHTML = '<div class="services-label">' + D.label("services") + "</div><ul>" + names.join("") + "</ul>";
  }

  function renderAll() {
    D.applyLabels();
    renderHeader();
    renderServing();
    renderFooter();
  }

  function applySnapshot(snapshot) {
    var mine = (snapshot.windows || []).filter(function (w) { return w.id === config.window_id; })[0];
    if (!mine) return;
    state.window = mine;
    var current = mine.current_ticket;
    // A parked ticket is set aside, not at the window: only a called or served one is shown.
    state.current = current && AT_WINDOW.indexOf(current.status) >= 0 ? current : null;
    renderAll();
  }

  function onTicket(name, message) {
    var ticket = message.ticket;
    var atMyWindow = ticket.window && ticket.window.id === config.window_id &&
      AT_WINDOW.indexOf(ticket.status) >= 0;
    if (atMyWindow) {
      state.current = ticket;
    } else if (state.current && state.current.id === ticket.id) {
      state.current = null;
    } else {
      return;
    }
    renderServing();
    if (atMyWindow && (name === "ticket.called" || name === "ticket.recalled")) {
      renders.push({ ticketId: ticket.id, number: ticket.number, kind: name, at: Date.now() });
      announcer.announce({ ticketId: ticket.id, number: ticket.number, window: ticket.window.number,
                           kind: name === "ticket.recalled" ? "recall" : "call" });
    }
  }

  function start() {
    D.onSettings(function (settings) {
      announcer.configure(settings.voice);
      renderAll();
    });
    D.applySettings(D.settings);
    announcer.on("blocked", function () { $("sound-blocked").hidden = false; });
    document.addEventListener("pointerdown", function () {
      announcer.unlock().then(function () { $("sound-blocked").hidden = true; });
    });
    var live = D.connect();
    live.on("snapshot", applySnapshot);
    live.on("window.changed", function (message) {
      if (!message.window || message.window.id !== config.window_id) return;
      state.window = Object.assign({}, state.window, message.window);
      renderAll();
    });
    live.on("event", function (event) {
      if (event.name.indexOf("ticket.") === 0 && event.message.ticket) onTicket(event.name, event.message);
    });
    live.start();
    global.hallqWindowDisplay = { state: state, live: live, renders: renders, announcer: announcer };
    global.hallqAnnouncer = announcer;
  }

  start();
})(window);
