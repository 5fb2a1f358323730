// A ticket's live status on the visitor's phone: it follows the hall's live events and asks
// the server for the ticket's place whenever the queue moves, so it is never stale for long.
// Once the case is finished it offers the rating (好差评): the five levels of the window's
// rating pad, the reasons that fit the level and an optional comment; one rating per case,
// whether given here or at the pad, and the page shows it whenever it is opened again.
(function () {
  "use strict";

  var HALLQ = window.HALLQ;
  var T = HALLQ.text;
  var LOCALE = HALLQ.locale;
  var TOKEN = HALLQ.statusToken;
  var ticket = HALLQ.ticket;
  var CHOICES = HALLQ.ratingChoices;
  var RATING_PATH = "/api/v1/ticket-status/" + encodeURIComponent(TOKEN) + "/rating";
  // The server's word on the rating ({rateable, rating}; null until asked), what the visitor
  // is choosing, and what the last answer said ("thanks" or "already").
  var rating = {
    state: null, asking: false, askAgain: false, level: null, reasons: [], sending: false, note: "",
  };
  var refreshTimer = null;
  var REFRESH_DELAY_MS = 400; // several events in a burst need one refresh

  function $(id) { return document.getElementById(id); }
  var fill = window.HallqWaitText.fill;
  function named(item) { return LOCALE === "en" && item.name_en ? item.name_en : item.name; }
  function waitText(estimate) { return window.HallqWaitText.waitText(T, estimate); }
  // By its number, as the lobby board and the announcement name it (a window's own name,
  // "综合窗口1", is the hall's word for it, not what the visitor reads above the counter).
  function windowName(window_) {
    if (!window_) return "";
    return fill(T.window_number, { n: window_.number });
  }

  function hallTime(iso) {
    var options = { hour: "2-digit", minute: "2-digit", hour12: false };
    if (ticket.hall && ticket.hall.time_zone) options.timeZone = ticket.hall.time_zone;
    try {
      return new Date(iso).toLocaleTimeString(LOCALE === "en" ? "en-GB" : "zh-CN", options);
    } catch (error) { // a browser without the hall's time zone: the phone's own clock
      delete options.timeZone;
      return new Date(iso).toLocaleTimeString(LOCALE === "en" ? "en-GB" : "zh-CN", options);
    }
  }

  // What a visitor whose ticket left the queue may still do; "" where the state says it all.
  var comeBackTimer = null;
  function nextStep() {
    clearTimeout(comeBackTimer);
    if (ticket.status === "cancelled") return T.nothing_to_wait_for;
    if (ticket.status !== "no_show" || !ticket.requeue_until) return "";
    var left = new Date(ticket.requeue_until).getTime() - Date.now();
    if (!(left > 0)) return T.come_back_too_late;
    comeBackTimer = setTimeout(render, Math.min(left + 1000, 2147483647));
    var text = ticket.requeue_behind > 0 ? T.come_back_behind : T.come_back_at_end;
    return fill(text, { time: hallTime(ticket.requeue_until), n: ticket.requeue_behind });
  }

  // Called: more than words in a box, for a phone in a pocket or another tab. The tab's title
  // says it, and the phone vibrates where the browser lets a page do so.
  var TITLE = document.title;
  function noticeCalled() {
    document.title = fill(T.called_title, { number: ticket.number, window: windowName(ticket.window) });
    if (navigator.vibrate) {
      try { navigator.vibrate([400, 200, 400, 200, 400]); } catch (error) { /* not allowed */ }
    }
  }

  function render() {
    if (ticket.status !== "called" && document.title !== TITLE) document.title = TITLE;
    $("status-number").textContent = ticket.number;
    $("status-service").textContent = named(ticket.service);
    var texts = {
      waiting: T.status_waiting, called: T.status_called, serving: T.status_serving,
      parked: T.status_parked, finished: T.status_finished,
      no_show: ticket.requeue_until ? T.status_missed : T.status_no_show,
      cancelled: T.status_cancelled,
    };
    var statusText = fill(texts[ticket.status] || ticket.status, { window: windowName(ticket.window) });
    // Written only when it changes: a live region rewritten with the same words at every queue
    // movement is read out again and again by a screen reader.
    if ($("status-text").textContent !== statusText) $("status-text").textContent = statusText;
    if (ticket.status === "called" && document.body.dataset.status !== "called") noticeCalled();
    document.body.dataset.status = ticket.status;
    var next = nextStep();
    $("status-next").textContent = next;
    $("status-next").hidden = !next;
    // People ahead and the estimate belong to a waiting ticket only: once it is called,
    // missed, cancelled or finished there is no queue left to stand in, so not even the labels.
    var waiting = ticket.status === "waiting";
    $("status-queue").hidden = !waiting;
    $("cancel-area").hidden = !waiting;
    // Taken on the phone: the visitor may not be in the hall yet, and must be when called.
    $("status-remote").hidden = !(ticket.issued_remotely && (waiting || ticket.status === "called"));
    var ahead = ticket.people_ahead === null ? "–" : ticket.people_ahead;
    $("status-ahead").textContent = waiting ? ahead : "";
    $("status-wait").textContent = waiting ? waitText(ticket.estimated_wait) : "";
    renderRating();
  }

  // ---- the rating, once the case is finished ---------------------------------------------
  function levelOf(code) {
    return CHOICES.levels.filter(function (level) { return level.code === code; })[0];
  }

  // What the server says of the rating now; asked while an answer is awaited, it asks again
  // once that answer is in, which may predate what prompted the question.
  function askRating() {
    if (rating.asking) {
      rating.askAgain = true;
      return;
    }
    rating.asking = true;
    rating.askAgain = false;
    fetch(RATING_PATH, { headers: { Accept: "application/json" } }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      rating.asking = false;
      if (data) {
        rating.state = data;
        renderRating();
      }
      if (rating.askAgain) askRating();
    }).catch(function () { rating.asking = false; });
  }

  function renderRating() {
    var finished = ticket.status === "finished";
    if (finished && rating.state === null) askRating();
    var state = rating.state;
    var given = state && state.rating;
    $("rating").hidden = !finished || !state || !(given || state.rateable);
    if ($("rating").hidden) return;
    $("rate-form").hidden = Boolean(given);
    $("rate-done").hidden = !given;
    if (!given) return;
    $("rate-done-text").textContent = rating.note === "already" ? T.rate_already : T.rate_thanks;
    var level = levelOf(given.level);
    var words = [level ? level.label : given.level].concat(given.reasons.map(function (code) {
      return CHOICES.reasons[code] || code;
    }));
    $("rate-given").textContent = fill(T.rate_given, { level: words.join(" · ") });
    $("rate-given-comment").textContent = given.comment || "";
    $("rate-given-comment").hidden = !given.comment;
  }

  function renderLevels() {
    var box = $("rate-levels");
    box.textContent = "";
    CHOICES.levels.forEach(function (level, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "rate-level rate-level-" + (CHOICES.levels.length - index);
      button.dataset.level = level.code;
      button.textContent = level.label;
      button.setAttribute("aria-pressed", String(rating.level === level.code));
      button.addEventListener("click", function () { chooseLevel(level); });
      box.appendChild(button);
    });
  }

  // The reasons that fit the level: praise for the top two, what went wrong for the rest.
  function chooseLevel(level) {
    rating.level = level.code;
    rating.reasons = [];
    renderLevels();
    var box = $("rate-reasons");
    box.textContent = "";
    level.reasons.forEach(function (code) {
      var chip = document.createElement("button");
      chip.type = "button";
      chip.className = "rate-reason";
      chip.dataset.reason = code;
      chip.textContent = CHOICES.reasons[code] || code;
      chip.setAttribute("aria-pressed", "false");
      chip.addEventListener("click", function () {
        var at = rating.reasons.indexOf(code);
        if (at >= 0) rating.reasons.splice(at, 1);
        else rating.reasons.push(code);
        chip.setAttribute("aria-pressed", String(at < 0));
      });
      box.appendChild(chip);
    });
    $("rate-details").hidden = false;
    $("rate-error").hidden = true;
  }

  function rateError(text) {
    $("rate-error").textContent = text;
    $("rate-error").hidden = false;
  }

  function submitRating() {
    if (rating.sending || !rating.level) return;
    rating.sending = true;
    $("rate-submit").disabled = true;
    $("rate-submit").textContent = T.rate_sending;
    $("rate-error").hidden = true;
    var body = { level: rating.level, reasons: rating.reasons.slice() };
    var comment = $("rate-comment").value.trim();
    if (comment) body.comment = comment;
    fetch(RATING_PATH, {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }).then(function (answer) {
      sent();
      if (answer.status === 201) {
        rating.note = "thanks";
        rating.state = { rateable: false, rating: answer.data };
        renderRating();
        return;
      }
      var code = answer.data && answer.data.error ? answer.data.error.code : "";
      if (code === "already_rated") {
        // Rated meanwhile (at the window's pad, or on another phone): that rating stands.
        rating.note = "already";
        askRating();
        return;
      }
      rateError(T.rate_failed);
    }).catch(function () {
      sent();
      rateError(T.rate_offline);
    });
  }

  function sent() {
    rating.sending = false;
    $("rate-submit").disabled = false;
    $("rate-submit").textContent = T.rate_submit;
  }

  function refresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      fetch("/api/v1/ticket-status/" + encodeURIComponent(TOKEN), {
        headers: { Accept: "application/json" },
      }).then(function (response) {
        if (!response.ok) return null;
        return response.json();
      }).then(function (data) {
        if (data) {
          ticket = Object.assign({}, ticket, data);
          render();
        }
      }).catch(function () { /* the live connection's offline notice covers this */ });
    }, REFRESH_DELAY_MS);
  }

  function onEvent(event) {
    var message = event.message || {};
    if (message.ticket && message.ticket.id === ticket.id) {
      ticket = Object.assign({}, ticket, message.ticket);
      render();
    }
    // Rated at the window's pad: the form gives way to that rating.
    if (event.name === "ticket.rated" && message.rating && message.rating.ticket_id === ticket.id &&
        !(rating.state && rating.state.rating)) {
      askRating();
    }
    // Any move in the hall's queues may change this ticket's place.
    if (ticket.status === "waiting" && event.name.indexOf("ticket.") === 0) refresh();
  }

  function cancel() {
    $("cancel-yes").disabled = true;
    fetch("/api/v1/ticket-status/" + encodeURIComponent(TOKEN) + "/cancel", {
      method: "POST", headers: { Accept: "application/json" },
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (answer) {
      $("cancel-yes").disabled = false;
      $("cancel-confirm").hidden = true;
      if (answer.ok) {
        ticket = Object.assign({}, ticket, answer.data);
        render();
      } else {
        $("cancel-error").textContent = T.cancel_failed;
        $("cancel-error").hidden = false;
        refresh();
      }
    }).catch(function () {
      $("cancel-yes").disabled = false;
      $("cancel-error").textContent = T.offline;
      $("cancel-error").hidden = false;
    });
  }

  $("cancel").addEventListener("click", function () {
    $("cancel-confirm").hidden = false;
    $("cancel").hidden = true;
  });
  $("cancel-no").addEventListener("click", function () {
    $("cancel-confirm").hidden = true;
    $("cancel").hidden = false;
  });
  $("cancel-yes").addEventListener("click", cancel);
  $("rate-submit").addEventListener("click", submitRating);

  renderLevels();
  render();
  if (window.HallLive) {
    var live = new window.HallLive({ hallId: ticket.hall_id });
    live.reloadWhenUpdated(function () {
      var choosing = rating.level && !(rating.state && rating.state.rating);
      return $("cancel-confirm").hidden && !choosing; // not while cancelling or rating
    });
    // Every snapshot (the first too: a rating given between the page's load and its joining
    // the hall's room sent an event nobody here heard) catches up on what was missed.
    live.on("snapshot", function () {
      if (ticket.status === "finished" && !(rating.state && rating.state.rating)) askRating();
      refresh();
    });
    live.on("event", onEvent);
    live.on("online", function () { document.body.classList.remove("offline"); });
    live.on("offline", function () { document.body.classList.add("offline"); });
    live.start();
  }
})();
