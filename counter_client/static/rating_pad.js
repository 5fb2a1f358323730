// The rating pad: a tablet facing the visitor at one window. When the window finishes a case it
// offers five levels and optional reasons; one rating per case. Rating on the phone, or nobody
// rating for two minutes, returns it to its welcome screen, and that case is not offered again
// here (it simply stays unrated; the phone can still rate it). The clerk leaving the window
// does not take the question away: the visitor of the last case may still be standing there,
// and rates it; the pad says the window is unstaffed once that question is answered or over.
(function () {
  "use strict";

  var T = window.HALLQ.text;
  var TOKEN = document.getElementById("pad").dataset.token;
  // A visitor who has not answered two minutes after the case (or after their last tap) has
  // walked away. The server names a finished case for longer (PAD_OFFER_MINUTES).
  var OFFER_MS = 2 * 60 * 1000;
  var THANKS_MS = 5000;
  var DONE_KEY = "hallq_pad_done_cases";
  var DONE_KEPT = 20;

  var state = {
    pad: null, ticket: null, level: null, reasons: [], idleTimer: null, busy: false,
    ticketClerk: null, // who served the case on offer, as the pad knew it when it was offered
    serverOffsetMs: 0, // the server's clock minus this tablet's, from the answers' Date header
    done: readDone(), // ids of the cases this pad has finished offering
  };

  function readDone() {
    try { return JSON.parse(window.sessionStorage.getItem(DONE_KEY) || "[]"); } catch (error) { return []; }
  }

  // This case is not offered again, even after a reload (the tablet's browser may restart).
  function finishOffer(ticket) {
    if (!ticket || state.done.indexOf(ticket.id) >= 0) return;
    state.done = state.done.concat([ticket.id]).slice(-DONE_KEPT);
    try { window.sessionStorage.setItem(DONE_KEY, JSON.stringify(state.done)); } catch (error) { /* private mode */ }
  }

  // How long the visitor has left to answer, by the server's clock: nothing for a case
  // finished long ago (the pad restarted), or one this pad is done with.
  function timeLeft(ticket) {
    if (state.done.indexOf(ticket.id) >= 0) return 0;
    var finished = ticket.finished_at ? new Date(ticket.finished_at).getTime() : NaN;
    if (isNaN(finished)) return OFFER_MS;
    return Math.min(OFFER_MS, finished + OFFER_MS - (Date.now() + state.serverOffsetMs));
  }

  function $(id) { return document.getElementById(id); }

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, name) {
      return values[name] === undefined || values[name] === null ? whole : values[name];
    });
  }

  function named(item) {
    if (!item) return "";
    return window.HALLQ.locale === "en" && item.name_en ? item.name_en : item.name;
  }

  function api(method, path, body) {
    return fetch("/api/v1" + path, {
      method: method,
      headers: Object.assign(
        { Authorization: "Bearer " + TOKEN, Accept: "application/json" },
        body ? { "Content-Type": "application/json" } : {}
      ),
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (response) {
      var serverDate = Date.parse(response.headers.get("Date") || "");
      if (!isNaN(serverDate)) state.serverOffsetMs = serverDate - Date.now();
      return response.json().catch(function () { return null; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    }, function () { return { ok: false, status: 0, data: null }; });
  }

  function screen(name) {
    ["pad-idle", "pad-rate", "pad-thanks", "pad-problem"].forEach(function (id) {
      $(id).hidden = id !== name;
    });
    document.body.dataset.screen = name.replace("pad-", "");
  }

  // The clerk at the window; while a case is on offer, the clerk who served it (who may have
  // left since, or not be known to a pad that started after they left).
  function renderHead() {
    var pad = state.pad;
    var clerk = state.ticket ? state.ticketClerk : pad.clerk;
    $("pad-window").textContent = pad.window.name;
    $("pad-clerk").textContent = clerk
      ? fill(T.clerk, { name: clerk.name, staff_number: clerk.staff_number })
      : state.ticket ? "" : T.no_clerk;
    $("pad-welcome").textContent = T.welcome;
  }

  function load() {
    return api("GET", "/rating-pad").then(function (answer) {
      if (!answer.ok) {
        if (answer.status === 401 || answer.status === 403) {
          $("pad-problem-text").textContent = T.unauthorised;
          screen("pad-problem");
        }
        return;
      }
      state.pad = answer.data;
      var pending = answer.data.pending_ticket;
      // The last case is offered until it is rated or its time is up, the clerk there or not.
      if (pending && timeLeft(pending) > 0) offer(pending);
      else if (!state.ticket) idle();
      renderHead();
    });
  }

  function idle() {
    clearTimeout(state.idleTimer);
    finishOffer(state.ticket);
    state.ticket = null;
    state.ticketClerk = null;
    state.level = null;
    state.reasons = [];
    if (state.pad) renderHead(); // the window's clerk again, or that nobody is there
    screen("pad-idle");
  }

  // The visitor tapped: as long again to finish the rating.
  function keepAwake(milliseconds) {
    clearTimeout(state.idleTimer);
    state.idleTimer = setTimeout(idle, milliseconds === undefined ? OFFER_MS : milliseconds);
  }

  function offer(ticket) {
    if (state.ticket && state.ticket.id === ticket.id) return;
    finishOffer(state.ticket); // a newer case at the window replaces it
    state.ticket = ticket;
    state.ticketClerk = state.pad.clerk;
    state.level = null;
    state.reasons = [];
    $("pad-question").textContent = fill(T.rate_case, { number: ticket.number, service: named(ticket.service) });
    $("pad-levels").hidden = false;
    $("pad-reasons-panel").hidden = true;
    renderLevels();
    screen("pad-rate");
    keepAwake(timeLeft(ticket));
  }

  function renderLevels() {
    var box = $("pad-levels");
    box.textContent = "";
    T.levels.forEach(function (level, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "level level-" + (5 - index);
      button.dataset.level = level.code;
      button.textContent = level.label;
      button.setAttribute("aria-pressed", String(state.level === level.code));
      button.addEventListener("click", function () { chooseLevel(level); });
      box.appendChild(button);
    });
  }

  function chooseLevel(level) {
    keepAwake();
    state.level = level.code;
    state.reasons = [];
    renderLevels();
    var reasons = $("pad-reasons");
    reasons.textContent = "";
    level.reasons.forEach(function (code) {
      var chip = document.createElement("button");
      chip.type = "button";
      chip.className = "reason";
      chip.dataset.reason = code;
      chip.textContent = T.reasons[code] || code;
      chip.setAttribute("aria-pressed", "false");
      chip.addEventListener("click", function () {
        keepAwake();
        var at = state.reasons.indexOf(code);
        if (at >= 0) state.reasons.splice(at, 1);
        else state.reasons.push(code);
        chip.setAttribute("aria-pressed", String(at < 0));
      });
      reasons.appendChild(chip);
    });
    $("pad-reasons-title").textContent = T.reasons_title;
    $("pad-reasons-panel").hidden = false;
  }

  function submit() {
    if (state.busy || !state.ticket || !state.level) return;
    state.busy = true;
    var body = { ticket_id: state.ticket.id, level: state.level, reasons: state.reasons };
    api("POST", "/rating-pad/ratings", body).then(function (answer) {
      state.busy = false;
      if (answer.ok) { thank(T.thanks); return; }
      var code = answer.data && answer.data.error && answer.data.error.code;
      if (code === "already_rated") { thank(T.already_rated); return; }
      $("pad-problem-text").textContent = T.error + (answer.data && answer.data.error ? " (" + answer.data.error.message + ")" : "");
      screen("pad-problem");
      setTimeout(function () { if (state.ticket) screen("pad-rate"); }, THANKS_MS);
    });
  }

  function thank(text) {
    clearTimeout(state.idleTimer);
    finishOffer(state.ticket);
    state.ticket = null;
    state.ticketClerk = null;
    $("pad-thanks-text").textContent = text;
    screen("pad-thanks");
    state.idleTimer = setTimeout(function () { idle(); load(); }, THANKS_MS);
  }

  function startLive() {
    if (!window.HallLive) return;
    var live = new window.HallLive({ token: TOKEN });
    live.reloadWhenUpdated(function () { return !state.ticket; }); // not while someone rates
    live.on("snapshot", function () { load(); });
    live.on("ticket.finished", function (message) {
      var ticket = message.ticket;
      if (state.pad && ticket.window && ticket.window.id === state.pad.window.id) load();
    });
    live.on("ticket.rated", function (message) {
      // Rated on the phone (or by another tap): this case is done here too.
      if (state.ticket && message.rating.ticket_id === state.ticket.id) thank(T.already_rated);
    });
    live.on("window.changed", function (message) {
      if (state.pad && message.window.id === state.pad.window.id) {
        // The clerk left or handed over: a case on offer stays on offer (renderHead names who
        // served it); the new state shows once it is answered or over.
        state.pad.clerk = message.window.clerk;
        renderHead();
      }
    });
    live.on("device.revoked", function () {
      clearTimeout(state.idleTimer);
      $("pad-problem-text").textContent = T.unauthorised;
      screen("pad-problem");
    });
    live.on("online", function () { document.body.classList.remove("offline"); });
    live.on("offline", function () { document.body.classList.add("offline"); });
    live.start();
  }

  $("pad-submit").textContent = T.submit;
  $("pad-back").textContent = T.back;
  $("pad-submit").addEventListener("click", submit);
  $("pad-back").addEventListener("click", function () {
    keepAwake();
    state.level = null;
    $("pad-reasons-panel").hidden = true;
    renderLevels();
  });
  window.HallqRatingPad = { state: state };
  load().then(startLive);
})();
