// The rating pad: a tablet facing the visitor at one window. When the window finishes a case it
// offers five levels and optional reasons; one rating per case. Rating on the phone, or nobody
// rating for a while, returns it to its welcome screen. The case then simply stays unrated.
(function () {
  "use strict";

  var T = window.HALLQ.text;
  var TOKEN = document.getElementById("pad").dataset.token;
  var IDLE_AFTER_MS = 90 * 1000; // a visitor who walked away leaves the case unrated
  var THANKS_MS = 5000;

  var state = { pad: null, ticket: null, level: null, reasons: [], idleTimer: null, busy: false };

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

  function renderHead() {
    var pad = state.pad;
    $("pad-window").textContent = pad.window.name;
    $("pad-clerk").textContent = pad.clerk
      ? fill(T.clerk, { name: pad.clerk.name, staff_number: pad.clerk.staff_number })
      : T.no_clerk;
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
      renderHead();
      if (answer.data.pending_ticket) offer(answer.data.pending_ticket);
      else if (!state.ticket) idle();
    });
  }

  function idle() {
    clearTimeout(state.idleTimer);
    state.ticket = null;
    state.level = null;
    state.reasons = [];
    screen("pad-idle");
  }

  function keepAwake() {
    clearTimeout(state.idleTimer);
    state.idleTimer = setTimeout(idle, IDLE_AFTER_MS);
  }

  function offer(ticket) {
    if (state.ticket && state.ticket.id === ticket.id) return;
    state.ticket = ticket;
    state.level = null;
    state.reasons = [];
    $("pad-question").textContent = fill(T.rate_case, { number: ticket.number, service: named(ticket.service) });
    $("pad-levels").hidden = false;
    $("pad-reasons-panel").hidden = true;
    renderLevels();
    screen("pad-rate");
    keepAwake();
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
    state.ticket = null;
    $("pad-thanks-text").textContent = text;
    screen("pad-thanks");
    state.idleTimer = setTimeout(function () { idle(); load(); }, THANKS_MS);
  }

  function startLive() {
    if (!window.HallLive) return;
    var live = new window.HallLive({ token: TOKEN });
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
        state.pad.clerk = message.window.clerk;
        renderHead();
      }
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
