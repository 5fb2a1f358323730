// The clerk's counter: log in, take a window, then call and serve, by mouse or by key.
// Every action is one API call; the page never guesses a result: it shows what the server
// answered (or why it refused) and then reads the window again. Live events from other windows,
// transfers to this window and a manager's changes make it read again at once.
(function () {
  "use strict";

  var T = window.HALLQ.text;
  var LOCALE = window.HALLQ.locale;
  var STORE = window.sessionStorage;
  var KEYS = {
    n: "callNext", c: "callNumber", r: "recall", s: "start", f: "finish", x: "noShow",
    t: "transfer", p: "park", u: "resumeParked", b: "pause", o: "resumeWindow", l: "release",
    i: "checkIn",
  };
  var OUTCOMES = ["completed", "accepted", "needs_correction", "rejected", "enquiry"];
  var PAUSE_REASONS = ["break", "meeting", "other"];
  var FEED_LENGTH = 8;
  var CLOCK = window.HallqHallClock;

  var state = {
    token: STORE.getItem("hallq_counter_token"),
    user: JSON.parse(STORE.getItem("hallq_counter_user") || "null"),
    windowId: Number(STORE.getItem("hallq_counter_window")) || null,
    window: null,
    ticket: null,
    queue: null,
    figures: null,
    services: [],
    windows: [],
    halls: [], // for their time zones: every time shown here is on the hall's clock
    live: null,
    busy: false,
    refreshTimer: null,
    figuresStale: true,
    awaitingRating: null, // {ticket_id, number} of the case just finished here
    // The hall's recall limit is not among what the page reads: the server's refusal tells it,
    // for this ticket and this many recalls (resuming a parked case starts the count again).
    recallLimit: null, // {ticket_id, recall_count}
    pendingAction: null, // a key pressed while the page was busy: done once it is not
    reading: 0, // which read of the window is the latest: an older answer is not shown
    // The hall feed: its recent events are read once the desk shows, and the live events go on
    // from the hall's seq of that read. Until it is in, live events wait (feedEarly).
    feedSeq: null,
    feedEarly: [],
    feedRead: 0, // which read of the feed is the latest
  };

  function $(id) { return document.getElementById(id); }

  var PAGE_TITLE = $("window-title").textContent; // the header when no window is held

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, name) {
      return values[name] === undefined || values[name] === null ? whole : values[name];
    });
  }

  function named(item) {
    if (!item) return "";
    return LOCALE === "en" && item.name_en ? item.name_en : item.name;
  }

  // The zone of the hall whose window this is (a manager may step in at a hall below theirs);
  // null until the halls are read.
  function hallZone() {
    var hallId = (state.window && state.window.hall_id) || (state.user && state.user.hall_id);
    for (var i = 0; i < state.halls.length; i++) {
      if (state.halls[i].id === hallId) return state.halls[i].time_zone;
    }
    return null;
  }

  function rememberHall(hall) {
    if (!hall || !hall.time_zone) return;
    state.halls = state.halls.filter(function (known) { return known.id !== hall.id; }).concat([hall]);
  }

  // "10:29" on the hall's clock, whatever zone this PC's own clock runs on.
  function clockTime(moment) {
    return moment ? CLOCK.time(moment, hallZone()) : "";
  }

  // The hall's day, not the UTC day an ISO string starts with nor this PC's.
  function calendarDate(iso) {
    if (isNaN(new Date(iso).getTime())) return String(iso);
    return CLOCK.date(iso, hallZone());
  }

  function minutes(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    if (seconds < 60) return fill(T.seconds, { seconds: Math.round(seconds) });
    return fill(T.minutes, { minutes: Math.round(seconds / 60) });
  }

  // ----- talking to the server -----

  function idempotencyKey() {
    return "counter-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  var staff = new window.HallqStaffClient({
    token: function () { return state.token; },
    onUnauthorized: function () { if (state.token) expireLogin(); }, // not after logging out
    refusals: T.refusals,
    messageBox: function () { return $("message"); },
  });

  var RETRY_AFTER_MS = 800;

  // Logins and logouts are never replayed (they hold tokens); every other POST is a change.
  function isChange(method, path) {
    return method === "POST" && path.indexOf("/auth/") !== 0;
  }

  // A change carries one Idempotency-Key for the whole attempt. When its answer is lost on the
  // way (the server may well have acted), it is sent once more with the same key: the server
  // then answers what it answered the first time (Idempotent-Replayed) instead of acting twice.
  // Still no answer: nobody knows whether it was done ("outcome_unknown"), and the page reads
  // the window again so that the clerk sees what the server now holds.
  function api(method, path, body, options) {
    if (!isChange(method, path)) return staff.request(method, path, body, options);
    options = Object.assign({}, options || {});
    var headers = Object.assign({}, options.headers || {});
    if (!headers["Idempotency-Key"]) headers["Idempotency-Key"] = idempotencyKey();
    options.headers = headers;
    return staff.request(method, path, body, options).then(function (answer) {
      if (answer.status !== 0 || !state.token) return answer;
      return new Promise(function (resolve) { setTimeout(resolve, RETRY_AFTER_MS); }).then(function () {
        return staff.request(method, path, body, options);
      }).then(function (again) {
        if (again.status !== 0) return again;
        scheduleRefresh();
        return { ok: false, status: 0, error: { code: "outcome_unknown", message: "" } };
      });
    });
  }

  // Refusals that only say the server could not be reached: they go once it is back.
  var CONNECTION_CODES = ["network", "service_unavailable"];

  function connectionIsBack() {
    var box = $("message");
    if (box.hidden) return;
    if (CONNECTION_CODES.indexOf(box.dataset.code) >= 0) {
      box.hidden = true;
      delete box.dataset.code;
    } else if (box.dataset.code === "outcome_unknown" && box.dataset.kind === "error") {
      // Still worth reading (check what was done), but no longer an alarm: the desk is current.
      box.className = "message info";
      box.dataset.kind = "info";
    }
  }
  function showMessage(text, kind) { staff.showMessage(text, kind); }
  function showRefusal(error, refusals) { staff.showRefusal(error, refusals); }

  // ----- views -----

  function show(view) {
    ["login-view", "window-view", "desk-view"].forEach(function (id) { $(id).hidden = id !== view; });
    $("logout-button").hidden = view === "login-view";
  }

  function expireLogin() {
    stopLive();
    STORE.removeItem("hallq_counter_token");
    state.token = null;
    show("login-view");
    showMessage(T.login_expired, "error");
  }

  function showLogin() {
    show("login-view");
    $("staff-number").focus();
  }

  function logIn(event) {
    event.preventDefault();
    var staffNumber = $("staff-number").value.trim();
    var password = $("password").value;
    api("POST", "/auth/login", { staff_number: staffNumber, password: password }).then(function (answer) {
      if (!answer.ok) { showRefusal(answer.error); return; }
      state.token = answer.data.token;
      state.user = answer.data.user;
      STORE.setItem("hallq_counter_token", state.token);
      STORE.setItem("hallq_counter_user", JSON.stringify(state.user));
      $("password").value = "";
      $("message").hidden = true;
      $("clerk-name").textContent = state.user.name + " (" + state.user.staff_number + ")";
      showWindows();
    });
  }

  // The page lets go of its login first: a read still under way when the token is revoked
  // must not come back as "your login has expired".
  function logOut() {
    var token = state.token;
    stopLive();
    clearTimeout(state.refreshTimer);
    ["hallq_counter_token", "hallq_counter_user", "hallq_counter_window"].forEach(function (key) {
      STORE.removeItem(key);
    });
    state.token = null; state.user = null; state.windowId = null;
    var headers = token ? { Authorization: "Bearer " + token } : {};
    return api("POST", "/auth/logout", undefined, { headers: headers }).then(function () {
      $("clerk-name").textContent = "";
      clearWindowHeader();
      showLogin();
    });
  }

  // No window held: the header names none (the page's own title, no state).
  function clearWindowHeader() {
    state.window = null;
    state.ticket = null;
    $("window-title").textContent = PAGE_TITLE;
    $("window-state").textContent = "";
    $("window-state").hidden = true;
    delete $("window-state").dataset.status;
    delete document.body.dataset.windowStatus;
  }

  function showWindows() {
    stopLive();
    clearWindowHeader();
    show("window-view");
    api("GET", "/halls/" + state.user.hall_id + "/windows").then(function (answer) {
      if (!answer.ok) { showRefusal(answer.error); return; }
      state.windows = answer.data;
      var list = $("window-list");
      list.textContent = "";
      var heldByOthers = 0;
      answer.data.forEach(function (window_) {
        var item = document.createElement("li");
        item.dataset.windowNumber = window_.number;
        var mine = window_.clerk && window_.clerk.id === state.user.id;
        var label = document.createElement("span");
        label.className = "window-label";
        label.textContent = window_.number + " · " + named(window_);
        var who = document.createElement("span");
        who.className = "window-holder";
        who.textContent = mine ? T.yours : window_.clerk ? fill(T.taken_by, { name: window_.clerk.name }) : T.free;
        item.append(label, who);
        // Another clerk's window: the server refuses to give it to anyone else (a manager frees
        // it on the dashboard), so it is not offered.
        if (window_.clerk && !mine) {
          heldByOthers++;
          item.dataset.heldBy = window_.clerk.name;
          var inUse = document.createElement("span");
          inUse.className = "window-in-use";
          inUse.textContent = T.window_in_use;
          item.appendChild(inUse);
        } else {
          var take = document.createElement("button");
          take.type = "button";
          take.className = mine ? "primary" : "";
          take.textContent = T.take;
          take.addEventListener("click", function () { takeWindow(window_.id); });
          item.appendChild(take);
        }
        list.appendChild(item);
      });
      $("window-held-hint").hidden = !heldByOthers;
    });
  }

  function takeWindow(windowId) {
    api("POST", "/windows/" + windowId + "/take").then(function (answer) {
      if (!answer.ok) { showRefusal(answer.error); return; }
      state.windowId = windowId;
      STORE.setItem("hallq_counter_window", String(windowId));
      showMessage(fill(T.window_taken_message, { number: answer.data.number }), "ok");
      showDesk();
    });
  }

  function showDesk() {
    show("desk-view");
    checkIn.clear(); // a check-in belongs to the clerk and window that began it
    var feedRead = startFeed();
    Promise.all([
      api("GET", "/halls/" + state.user.hall_id + "/services"),
      api("GET", "/halls/" + state.user.hall_id + "/windows"),
      api("GET", "/halls"),
      // The hall whose live events this page hears (the login's).
      api("GET", "/halls/" + state.user.hall_id + "/recent-events?limit=" + FEED_LENGTH),
    ]).then(function (answers) {
      if (answers[0].ok) state.services = answers[0].data;
      if (answers[1].ok) state.windows = answers[1].data;
      if (answers[2].ok) answers[2].data.forEach(rememberHall);
      fillTransferChoices();
      if (state.window) render(); // its times, now on the hall's clock
      // Once the windows and the hall's clock are known: its lines name windows and times.
      if (feedRead === state.feedRead) fillFeed(answers[3]);
    });
    startLive();
    refresh();
  }

  // ----- reading the window -----

  function refresh() {
    if (!state.windowId || !state.token) return Promise.resolve();
    var base = "/windows/" + state.windowId;
    // The clerk's figures change only with this window's own cases: read them only then.
    var figures = state.figuresStale || !state.figures
      ? api("GET", "/me/figures")
      : Promise.resolve({ ok: false, skipped: true });
    state.figuresStale = false;
    var reading = ++state.reading;
    return Promise.all([
      api("GET", base + "/desk"), api("GET", base + "/queue"), figures,
    ]).then(function (answers) {
      var desk = answers[0];
      if (!state.token) return; // logged out meanwhile
      if (reading !== state.reading) { // a later answer is already shown: this one is older
        if (answers[2].ok) state.figures = answers[2].data;
        return;
      }
      if (!desk.ok) {
        // A read that fails too must not hide that a change's outcome is unknown.
        var unknown = $("message").dataset.code === "outcome_unknown" && !$("message").hidden;
        if (desk.status !== 401 && !(unknown && desk.status === 0)) showRefusal(desk.error);
        return;
      }
      connectionIsBack();
      state.window = desk.data.window;
      state.ticket = desk.data.ticket;
      state.maxRecalls = desk.data.max_recalls;
      if (!state.window.clerk || state.window.clerk.id !== state.user.id) {
        if (state.user.role === "clerk") {
          showMessage(T.window_lost, "error");
          STORE.removeItem("hallq_counter_window");
          state.windowId = null;
          showWindows();
          return;
        }
      }
      if (answers[1].ok) state.queue = answers[1].data;
      if (answers[2].ok) state.figures = answers[2].data;
      render();
    });
  }

  function scheduleRefresh() {
    clearTimeout(state.refreshTimer);
    state.refreshTimer = setTimeout(refresh, 200);
  }

  function render() {
    renderWindow();
    renderTicket();
    renderQueue();
    renderFigures();
    renderActions();
    renderOpenDialogs();
    checkIn.render();
  }

  function renderWindow() {
    var window_ = state.window;
    $("window-title").textContent = window_.number + " · " + named(window_);
    var status = T.window_status[window_.status] || window_.status;
    var details = window_.status === "paused" ? pauseDetails(window_) : "";
    $("window-state").textContent = details ? fill(T.status_with_details, { status: status, details: details }) : status;
    $("window-state").dataset.status = window_.status;
    $("window-state").hidden = false;
    document.body.dataset.windowStatus = window_.status;
    if (window_.clerk) $("clerk-name").textContent = window_.clerk.name + " (" + window_.clerk.staff_number + ")";
  }

  function pauseReason(window_) {
    return window_.pause_reason ? T.pause_reasons[window_.pause_reason] || window_.pause_reason : "";
  }

  // When a paused window is meant to open again (hall time), if its pause has a planned length.
  function pauseEnd(window_) {
    var since = window_.paused_at || window_.status_changed_at;
    if (window_.status !== "paused" || !window_.pause_minutes || !since) return "";
    return clockTime(new Date(new Date(since).getTime() + window_.pause_minutes * 60 * 1000));
  }

  // "break" or "break, 15 min, back about 11:20".
  function pauseDetails(window_) {
    var back = pauseEnd(window_);
    if (!back) return pauseReason(window_);
    return fill(T.pause_planned, { reason: pauseReason(window_), minutes: window_.pause_minutes, time: back });
  }

  // What this page says once its own pause or resume went through.
  function windowMessage(window_) {
    var values = {
      number: window_.number, reason: pauseReason(window_), minutes: window_.pause_minutes, time: pauseEnd(window_),
    };
    if (window_.status === "paused") {
      return fill(values.time ? T.window_paused_for_message : T.window_paused_message, values);
    }
    if (window_.status === "open") return fill(T.window_resumed_message, values);
    return fill(T.events["window.changed"], { window: window_.number, status: T.window_status[window_.status] || window_.status });
  }

  function renderTicket() {
    var ticket = state.ticket;
    $("ticket-card").hidden = !ticket;
    $("ticket-empty").hidden = !!ticket;
    $("ticket-empty").textContent = T.no_ticket_in_hand;
    document.body.dataset.ticketStatus = ticket ? ticket.status : "none";
    if (!ticket) return;
    $("ticket-number").textContent = ticket.number;
    $("ticket-status").textContent = T.status[ticket.status] || ticket.status;
    $("ticket-status").dataset.status = ticket.status;
    $("ticket-class").textContent = T.visitor_class[ticket.visitor_class] || ticket.visitor_class;
    $("ticket-class").dataset.visitorClass = ticket.visitor_class;
    $("ticket-remote").hidden = !ticket.issued_remotely;
    $("ticket-remote").textContent = T.taken_remotely;
    $("ticket-remote").title = T.taken_remotely_hint;
    $("ticket-service").textContent = named(ticket.service);
    $("ticket-applicant").textContent = ticket.holder_display_name || "—";
    $("ticket-waited").textContent = minutes(ticket.waited_seconds);
    $("ticket-recalls").textContent = fill(T.recalled_times, { count: ticket.recall_count });
    // An appointment ticket's booked slot (none once the booking lapsed into a walk-in).
    $("ticket-slot-label").hidden = $("ticket-slot").hidden = !ticket.appointment_due_at;
    $("ticket-slot").textContent = clockTime(ticket.appointment_due_at);
    renderTransferOrigin(ticket.last_transfer);
    tickAtWindow();
    var preReview = $("pre-review");
    var hasPreReview = ticket.pre_reviewed || !!ticket.pre_review;
    preReview.hidden = !hasPreReview;
    if (hasPreReview) renderPreReview(ticket.pre_review);
  }

  // "Transferred from window 1: materials need checking at window 2", and who sent it when.
  function renderTransferOrigin(origin) {
    var box = $("ticket-transfer");
    box.hidden = !origin;
    if (!origin) return;
    var from = origin.from_window
      ? fill(T.transferred_from_window, { window: origin.from_window.number })
      : origin.from_service ? fill(T.transferred_from_service, { service: named(origin.from_service) })
        : T.transferred_from_elsewhere;
    $("ticket-transfer-text").textContent = origin.reason
      ? fill(T.transferred_with_reason, { from: from, reason: origin.reason }) : from;
    var details = [];
    if (origin.from_clerk) details.push(origin.from_clerk.name);
    if (origin.from_service) details.push(named(origin.from_service));
    if (origin.at) details.push(clockTime(origin.at));
    $("ticket-transfer-details").textContent = details.join(" · ");
  }

  function preReviewValue(value) {
    return T.pre_review_values[value] || value;
  }

  // The pre-review record: {application_id, result, valid_until, status, materials: [{name,
  // status, note}]}; unknown fields are shown as they come, so a richer record still reads.
  function renderPreReview(record) {
    var body = $("pre-review-body");
    body.textContent = "";
    if (!record) {
      var pending = document.createElement("p");
      pending.className = "hint";
      pending.textContent = T.pre_review_pending;
      body.appendChild(pending);
      return;
    }
    var facts = document.createElement("dl");
    facts.className = "pre-review-facts";
    Object.keys(record).forEach(function (key) {
      if (key === "materials" || record[key] === null || record[key] === undefined) return;
      var term = document.createElement("dt");
      term.textContent = T.pre_review_labels[key] || key;
      var value = document.createElement("dd");
      value.dataset.field = key;
      var raw = record[key];
      if (key === "valid_until") raw = calendarDate(raw);
      value.textContent = typeof raw === "object" ? JSON.stringify(raw) : preReviewValue(raw);
      facts.append(term, value);
    });
    body.appendChild(facts);
    if (Array.isArray(record.materials) && record.materials.length) {
      var heading = document.createElement("h4");
      heading.textContent = T.pre_review_labels.materials;
      var list = document.createElement("ul");
      list.className = "materials";
      record.materials.forEach(function (material) {
        var item = document.createElement("li");
        if (typeof material === "string") {
          item.textContent = material;
        } else {
          item.dataset.status = material.status || "";
          item.textContent = material.name + (material.status ? " · " + preReviewValue(material.status) : "") +
            (material.note ? " — " + material.note : "");
        }
        list.appendChild(item);
      });
      body.append(heading, list);
    }
  }

  // ----- what each action may do now -----

  // The server's rules (hall_server/core/ticket_life.py, window_life.py), read from what the
  // page knows: "" when the action may go ahead, otherwise why not, in words that say what to
  // do instead. A button that may not act says so in its title and when it is pressed, rather
  // than send what the server would refuse.
  function whyNot(action) {
    var ticket = state.ticket, window_ = state.window;
    if (!window_) return "";
    var status = ticket ? ticket.status : null;
    var values = { number: ticket ? ticket.number : "" };
    var parked = (state.queue && state.queue.parked) || [];
    function calling() {
      if (status === "called") return fill(T.call_blocked_called, values);
      if (status === "serving") return fill(T.call_blocked_serving, values);
      if (window_.status === "paused") return T.window_paused_hint;
      if (window_.status === "closed") return T.window_closed_hint;
      return "";
    }
    function calledOnly() {
      if (!ticket) return T.no_ticket_called;
      if (status !== "called") return fill(T.already_serving, values);
      return "";
    }
    function servedOnly(needsServing) {
      if (!ticket) return T.no_case_served;
      if (status !== "serving") return fill(needsServing, values);
      return "";
    }
    switch (action) {
      case "callNext": // whom the policy would call now: nobody, and the server says so too
        return calling() || (state.queue && !state.queue.next_ticket ? T.nobody_waiting : "");
      case "callNumber":
        return calling();
      case "recall":
        if (calledOnly()) return calledOnly();
        var limit = state.recallLimit;
        var atLimit = (typeof state.maxRecalls === "number" && ticket.recall_count >= state.maxRecalls) ||
          (limit && limit.ticket_id === ticket.id && ticket.recall_count >= limit.recall_count);
        return atLimit ? fill(T.recall_limit_hint, values) : "";
      case "start":
      case "noShow":
        return calledOnly();
      case "finish":
        return servedOnly(T.finish_needs_serving);
      case "transfer":
        return servedOnly(T.transfer_needs_serving);
      case "park":
        return servedOnly(T.park_needs_serving);
      case "resumeParked":
        if (!parked.length) return T.refusals.no_parked;
        return calling();
      case "pause":
        if (window_.status === "paused") return T.window_already_paused;
        return window_.status === "open" ? "" : T.window_closed_hint;
      case "resumeWindow":
        return window_.status === "paused" ? "" : T.window_not_paused;
      default:
        return ""; // leaving the window: its dialog says what is still to do
    }
  }

  function renderActions() {
    document.querySelectorAll(".actions [data-action]").forEach(function (button) {
      var reason = whyNot(button.dataset.action);
      button.setAttribute("aria-disabled", String(!!reason));
      button.title = reason;
    });
  }

  // A button or a key: the action, or why not now. Calling the next when nobody seemed to wait
  // still asks the server: visitors arrive all the time, and the page hears of one a moment
  // after the server has them (the button's title says nobody was waiting).
  function run(action) {
    if (state.busy) { state.pendingAction = action; return; }
    var reason = whyNot(action);
    if (reason && !(action === "callNext" && reason === T.nobody_waiting)) {
      showMessage(reason, "info");
      return;
    }
    actions[action]();
  }

  function tickAtWindow() {
    var ticket = state.ticket;
    if (!ticket || !ticket.called_at) { $("ticket-at-window").textContent = "—"; return; }
    var seconds = Math.max(0, (Date.now() - new Date(ticket.called_at).getTime()) / 1000);
    var whole = Math.floor(seconds);
    $("ticket-at-window").textContent = Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0");
  }

  function renderQueue() {
    var queue = state.queue;
    if (!queue) return;
    $("total-waiting").textContent = queue.total_waiting;
    var rows = $("waiting-rows");
    rows.textContent = "";
    // A comprehensive window serves dozens of services: list those with someone waiting.
    queue.waiting.filter(function (service) { return service.waiting > 0; }).forEach(function (service) {
      var row = document.createElement("tr");
      row.dataset.serviceId = service.service_id;
      var name = document.createElement("td");
      name.textContent = service.prefix + " · " + named(service);
      var count = document.createElement("td");
      count.className = "count";
      count.textContent = service.waiting;
      row.append(name, count);
      rows.appendChild(row);
    });
    var next = queue.next_ticket;
    $("next-ticket").textContent = next
      ? next.number + " · " + named(next.service) + " · " + (T.visitor_class[next.visitor_class] || next.visitor_class)
      : T.next_none;
    var transferred = $("transferred-here");
    transferred.hidden = !queue.transferred_here;
    transferred.textContent = queue.transferred_here
      ? fill(T.transferred_here, { count: queue.transferred_here }) : "";
    var parked = $("parked-list");
    parked.textContent = "";
    queue.parked.forEach(function (ticket, index) {
      var item = document.createElement("li");
      item.dataset.ticketNumber = ticket.number;
      var label = document.createElement("span");
      label.textContent = (index < 9 ? index + 1 + ". " : "") + ticket.number + " · " + named(ticket.service);
      var resume = document.createElement("button");
      resume.type = "button";
      resume.textContent = T.resume_button;
      resume.addEventListener("click", function () { resumeParked(ticket); });
      item.append(label, resume);
      parked.appendChild(item);
    });
  }

  function renderFigures() {
    var figures = state.figures;
    if (!figures) return;
    $("figure-served").textContent = figures.served;
    $("figure-handling").textContent = minutes(figures.average_handling_seconds);
    $("figure-wait").textContent = minutes(figures.average_wait_seconds);
    $("figure-no-shows").textContent = figures.no_shows;
    $("figure-transferred").textContent = figures.transferred;
    var ratings = figures.ratings;
    $("figure-ratings").textContent = ratings.count
      ? ratings.count + " · " + ratings.average_score + " / 5"
      : "0";
  }

  // ----- live -----

  function startLive() {
    if (state.live || !window.HallLive) return;
    var live = new window.HallLive({ token: state.token });
    state.live = live;
    live.offerReloadWhenUpdated({ message: T.pages_updated, button: T.reload_now });
    live.on("snapshot", function (snapshot) {
      rememberHall(snapshot && snapshot.hall);
      if (snapshot && snapshot.hall && state.user && snapshot.hall.id === state.user.hall_id && snapshot.windows) {
        state.windows = snapshot.windows;
        fillTransferChoices(true);
      }
      state.figuresStale = true;
      scheduleRefresh();
    });
    live.on("event", function (event) {
      if (event.name === "window.changed") noticeWindow(event.message.window);
      addToFeed(event.name, event.message);
      if (event.name === "ticket.rated") noticeRating(event.message.rating);
      if (atThisWindow(event.message)) state.figuresStale = true;
      if (concernsThisWindow(event.message)) scheduleRefresh();
    });
    live.on("online", function () {
      if (live.stopped) return;
      connectionIsBack();
      document.body.classList.remove("offline");
      $("live-state").hidden = false;
      $("live-state").textContent = T.live_online;
      $("live-state").dataset.online = "true";
    });
    live.on("offline", function () {
      if (live.stopped) return;
      document.body.classList.add("offline");
      $("live-state").textContent = T.live_offline;
      $("live-state").dataset.online = "false";
    });
    live.start();
  }

  function atThisWindow(message) {
    if (message.rating) return message.rating.window_id === state.windowId;
    var ticket = message.ticket;
    return !!(ticket && ((ticket.window && ticket.window.id === state.windowId) ||
      (state.ticket && state.ticket.id === ticket.id)));
  }

  // A busy hall sends an event every second or two: read again only for what changes this
  // window's picture (its tickets, its services' queues, transfers to it, changes to it).
  function concernsThisWindow(message) {
    var ticket = message.ticket;
    var services = (state.window && state.window.services) || [];
    if (message.window) return message.window.id === state.windowId;
    if (message.rating) return message.rating.window_id === state.windowId;
    if (!ticket) return true;
    if (ticket.target_window_id === state.windowId) return true;
    if (ticket.window && ticket.window.id === state.windowId) return true;
    if (state.ticket && state.ticket.id === ticket.id) return true; // e.g. a manager moved it away
    var parked = (state.queue && state.queue.parked) || [];
    if (parked.some(function (held) { return held.id === ticket.id; })) return true;
    return services.some(function (service) { return service.id === ticket.service.id; });
  }

  // Another window opened, paused or closed: the transfer dialog offers only windows that can
  // take a case.
  function noticeWindow(changed) {
    if (!changed) return;
    state.windows = state.windows.map(function (known) { return known.id === changed.id ? changed : known; });
    fillTransferChoices(true);
  }

  // A deliberate disconnect (leaving the window, being freed, logging out) is no outage: the
  // closed connection must not turn into "offline: reconnecting" a few seconds later.
  function stopLive() {
    var live = state.live;
    state.live = null;
    if (live) {
      live.stopped = true;
      if (live.socket) live.socket.disconnect();
      clearTimeout(live.offlineTimer);
      live.offlineTimer = null;
      clearTimeout(live.retryTimer);
    }
    document.body.classList.remove("offline");
    $("live-state").hidden = true;
    $("live-state").textContent = "";
    delete $("live-state").dataset.online;
  }

  function windowNumber(windowId) {
    for (var i = 0; i < state.windows.length; i++) {
      if (state.windows[i].id === windowId) return state.windows[i].number;
    }
    return windowId;
  }

  function feedLine(name, message) {
    var template = T.events[name];
    if (!template) return null;
    if (name === "window.changed") {
      var window_ = message.window;
      return fill(template, { window: window_.number, status: T.window_status[window_.status] || window_.status });
    }
    if (name === "ticket.rated") {
      var rating = message.rating;
      return fill(template, { number: rating.ticket_number, level: T.rating_levels[rating.level] || rating.level });
    }
    var ticket = message.ticket;
    if (!ticket) return null;
    var target = ticket.target_window_id
      ? fill(T.transfer_to_window, { number: windowNumber(ticket.target_window_id) })
      : named(ticket.service);
    return fill(template, {
      number: ticket.number,
      window: ticket.window ? ticket.window.number : "",
      service: named(ticket.service),
      target: target,
    });
  }

  // A fresh feed for the desk now shown: what happened before this page (a reload, a new
  // login) is read from the server, so the clerk still sees e.g. the case just sent here.
  function startFeed() {
    $("feed-list").textContent = "";
    state.feedSeq = null;
    state.feedEarly = [];
    return ++state.feedRead;
  }

  // The hall's recent events (GET /halls/<id>/recent-events), then the live events that came
  // meanwhile and are not among them: those above the read's seq. Unread, the feed is live only.
  function fillFeed(answer) {
    var early = state.feedEarly;
    state.feedEarly = [];
    state.feedSeq = answer.ok ? answer.data.seq : 0;
    if (answer.ok) {
      answer.data.events.slice().reverse().forEach(function (event) {
        showInFeed(event.name, event, event.at);
      });
    }
    early.forEach(function (entry) {
      if (!alreadyRead(entry.name, entry.message)) showInFeed(entry.name, entry.message, entry.at);
    });
  }

  // A live event the read of recent events holds already: a ticket's step at or below its seq
  // (window changes and ratings are never among them).
  function alreadyRead(name, message) {
    var ticketStep = name.indexOf("ticket.") === 0 && name !== "ticket.rated";
    return ticketStep && message.seq <= state.feedSeq;
  }

  function addToFeed(name, message) {
    if (state.feedSeq === null) {
      state.feedEarly.push({ name: name, message: message, at: new Date() });
      return;
    }
    if (!alreadyRead(name, message)) showInFeed(name, message, new Date());
  }

  function showInFeed(name, message, moment) {
    var line = feedLine(name, message);
    if (!line) return;
    var list = $("feed-list");
    var item = document.createElement("li");
    item.dataset.event = name;
    var at = document.createElement("time");
    at.textContent = clockTime(moment);
    item.append(at, document.createTextNode(" " + line));
    var ticket = message.ticket;
    if ((ticket && ticket.target_window_id === state.windowId && name === "ticket.transferred") ||
        (message.window && message.window.id === state.windowId)) {
      item.className = "for-me";
    }
    list.insertBefore(item, list.firstChild);
    while (list.children.length > FEED_LENGTH) list.removeChild(list.lastChild);
  }

  function noticeRating(rating) {
    if (!rating || rating.window_id !== state.windowId) return;
    var note = $("rating-note");
    note.hidden = false;
    note.textContent = fill(T.rated_message, {
      number: rating.ticket_number, level: T.rating_levels[rating.level] || rating.level,
    });
    state.awaitingRating = null;
  }

  // ----- actions -----

  // `refusals`: words for what this action is about (a window's change, a transfer), where a
  // code alone would speak of a ticket. The page stays busy until it has read the window
  // again: what may be done next is judged on what the server now holds.
  // `onRefused(error)`: the action's own way to show a refusal (in its dialog); true if it did.
  function perform(request, onDone, refusals, onRefused) {
    if (state.busy) return Promise.resolve(null);
    state.busy = true;
    document.body.classList.add("busy");
    return request().then(function (answer) {
      if (!answer) { notBusy(); return null; }
      state.figuresStale = true;
      if (answer.ok) {
        adopt(answer.data);
        if (onDone) onDone(answer.data);
        else showMessage(describeResult(answer.data), "ok");
      } else if (!(onRefused && onRefused(answer.error))) {
        showRefusal(answer.error, refusals);
      }
      notBusy();
      return refresh().then(function () { return answer; });
    });
  }

  // What the server answered is the window's state now, until the window is read again: the
  // next key is judged on it (a clerk types N, then S, without waiting for the screen). A
  // window's change answers with the window; a ticket's with the ticket.
  function adopt(data) {
    if (!data || !state.window || !state.windowId) return;
    state.reading++; // a read begun before this answer is older than it
    if (Array.isArray(data.services) && data.kind) {
      if (data.id === state.windowId) state.window = data;
    } else if (data.number && data.status) {
      var here = data.window && data.window.id === state.windowId;
      var same = state.ticket && state.ticket.id === data.id;
      if (here && (data.status === "called" || data.status === "serving")) {
        state.ticket = Object.assign({}, same ? state.ticket : {}, data);
      } else if (same) {
        state.ticket = null;
      }
      if (state.queue) {
        var parked = state.queue.parked.filter(function (held) { return held.id !== data.id; });
        if (here && data.status === "parked") parked.push(data);
        state.queue = Object.assign({}, state.queue, { parked: parked });
      }
    }
    render();
  }

  // A key pressed while an action was under way is done once its answer is in.
  function notBusy() {
    state.busy = false;
    document.body.classList.remove("busy");
    var next = state.pendingAction;
    state.pendingAction = null;
    if (next) run(next);
  }

  function describeResult(data) {
    if (data && Array.isArray(data.services) && data.kind) return windowMessage(data);
    if (data && data.number && data.status) return data.number + " · " + (T.status[data.status] || data.status);
    return T.done;
  }

  function windowPath(suffix) { return "/windows/" + state.windowId + suffix; }
  function ticketPath(ticket, action) { return windowPath("/tickets/" + ticket.id + "/" + action); }

  function requireTicket() {
    if (state.ticket) return state.ticket;
    showRefusal({ code: "no_ticket", message: "" });
    return null;
  }

  function announceCalled(ticket) { showMessage(fill(T.called_message, { number: ticket.number }), "ok"); }

  var actions = {
    callNext: function () {
      return perform(function () { return api("POST", windowPath("/call-next")); }, announceCalled);
    },
    callNumber: function () {
      $("call-number-input").value = "";
      state.requeueTicket = null;
      $("requeue-offer").hidden = true;
      openDialog("call-number-dialog", $("call-number-input"));
    },
    recall: function () {
      var ticket = requireTicket();
      if (!ticket) return;
      perform(function () { return api("POST", ticketPath(ticket, "recall")); }).then(function (answer) {
        if (answer && !answer.ok && answer.error.code === "recall_limit_reached") {
          var now = state.ticket && state.ticket.id === ticket.id ? state.ticket : ticket;
          state.recallLimit = { ticket_id: ticket.id, recall_count: now.recall_count };
          renderActions();
        }
      });
    },
    start: function () {
      var ticket = requireTicket();
      if (ticket) perform(function () { return api("POST", ticketPath(ticket, "start")); });
    },
    finish: function () {
      var ticket = requireTicket();
      if (!ticket) return;
      $("finish-form").reset();
      setTicketLabel("finish-dialog", ticket);
      openDialog("finish-dialog", document.querySelector("#finish-form input[name=outcome]:checked"));
    },
    noShow: function () {
      var ticket = requireTicket();
      if (ticket) perform(function () { return api("POST", ticketPath(ticket, "no-show")); });
    },
    transfer: function () {
      var ticket = requireTicket();
      if (!ticket) return;
      fillTransferChoices();
      $("transfer-service").value = ""; // "choose": never the first service by accident
      $("transfer-window").value = ""; // nor the first window
      setTicketLabel("transfer-dialog", ticket);
      $("transfer-reason").value = "";
      openDialog("transfer-dialog", $("transfer-reason")); // Enter confirms from there
    },
    park: function () {
      var ticket = requireTicket();
      if (ticket) perform(function () { return api("POST", ticketPath(ticket, "park")); });
    },
    resumeParked: function () {
      var parked = (state.queue && state.queue.parked) || [];
      if (!parked.length) { showRefusal({ code: "no_parked", message: "" }); return; }
      if (parked.length === 1) { resumeParked(parked[0]); return; }
      var choices = $("resume-choices");
      choices.textContent = "";
      parked.slice(0, 9).forEach(function (ticket, index) {
        var button = document.createElement("button");
        button.type = "button";
        button.dataset.index = index + 1;
        button.innerHTML = "<kbd>" + (index + 1) + "</kbd> ";
        button.appendChild(document.createTextNode(ticket.number + " · " + named(ticket.service)));
        button.addEventListener("click", function () { closeDialogs(); resumeParked(ticket); });
        choices.appendChild(button);
      });
      openDialog("resume-dialog", choices.querySelector("button"));
    },
    pause: function () {
      $("pause-minutes").value = "";
      openDialog("pause-dialog", document.querySelector("#pause-dialog [data-reason]"));
    },
    resumeWindow: function () {
      perform(function () { return api("POST", windowPath("/state"), { change: "resume" }); }, null, T.window_refusals);
    },
    checkIn: function () { checkIn.focus(); },
    release: function () {
      renderReleaseDialog();
      openDialog("release-dialog", $("release-confirm").hidden ? $("release-cancel") : $("release-confirm"));
    },
  };

  function resumeParked(ticket) {
    perform(function () { return api("POST", ticketPath(ticket, "resume")); }, announceCalled);
  }

  function setTicketLabel(dialogId, ticket) {
    document.querySelector("#" + dialogId + " .dialog-ticket").textContent = ticket.number;
  }

  function openDialog(id, focus) {
    closeDialogs();
    var dialog = $(id);
    dialogError(id, "");
    dialog.showModal();
    if (focus) focus.focus();
  }

  // A double-click's second click that lands on the action bar this soon after a dialog closed
  // belongs to the dialog's button (Finish, then "Transfer" underneath): not an action.
  var CLICK_THROUGH_MS = 1000;

  function closeDialogs() {
    document.querySelectorAll("dialog[open]").forEach(function (dialog) {
      dialog.close();
      state.dialogClosedAt = Date.now();
    });
  }

  function justClosedDialog() {
    return !!state.dialogClosedAt && Date.now() - state.dialogClosedAt < CLICK_THROUGH_MS;
  }

  // What a dialog cannot send as it is, said in the dialog next to its fields (the page's
  // message box is under the modal); "" clears it.
  function dialogError(id, text, code) {
    var box = document.querySelector("#" + id + " .dialog-error");
    if (!box) return;
    box.textContent = text || "";
    box.hidden = !text;
    if (code) box.dataset.code = code;
    else delete box.dataset.code;
  }

  function dialogRefusal(id, error, refusals) {
    dialogError(id, staff.refusalText(error, refusals), error.code);
  }

  function submitFinish(event) {
    event.preventDefault();
    var ticket = state.ticket;
    var form = $("finish-form");
    var body = { outcome: form.querySelector("input[name=outcome]:checked").value };
    var caseNumber = $("finish-case-number").value.trim();
    var note = $("finish-note").value.trim();
    if (caseNumber) body.case_number = caseNumber;
    if (note) body.note = note;
    closeDialogs();
    if (!ticket) { requireTicket(); return; }
    perform(function () { return api("POST", ticketPath(ticket, "finish"), body); }, function (done) {
      state.awaitingRating = { ticket_id: done.id, number: done.number };
      showMessage(fill(T.finished_message, { number: done.number, outcome: T.outcomes[done.outcome] }), "ok");
      var note_ = $("rating-note");
      note_.hidden = false;
      note_.textContent = fill(T.awaiting_rating, { number: done.number });
    });
  }

  // The dialog stays open until the number is called: a refusal is said in it, and a no-show
  // still within the hall's grace can be put back in the queue from it.
  function submitCallNumber(event) {
    event.preventDefault();
    var number = $("call-number-input").value.trim();
    state.requeueTicket = null;
    $("requeue-offer").hidden = true;
    if (!number) {
      dialogError("call-number-dialog", T.number_required);
      $("call-number-input").focus();
      return;
    }
    dialogError("call-number-dialog", "");
    perform(function () { return api("POST", windowPath("/call-number"), { number: number }); }, function (called) {
      closeDialogs();
      announceCalled(called);
    }, null, function (error) {
      if (!$("call-number-dialog").open) return false;
      if (error.code === "invalid_transition") offerRequeue(number, error);
      else dialogRefusal("call-number-dialog", error);
      return true;
    });
  }

  // The number is not waiting: if it is a no-show, say until when it may wait again and offer
  // that; otherwise the server's refusal stands.
  function offerRequeue(number, refusal) {
    dialogRefusal("call-number-dialog", refusal);
    api("GET", windowPath("/tickets/by-number/" + encodeURIComponent(number))).then(function (answer) {
      if (!answer.ok || answer.data.status !== "no_show" || !$("call-number-dialog").open) return;
      var ticket = answer.data;
      var values = {
        number: ticket.number, time: clockTime(ticket.requeue_until), behind: ticket.requeue_behind,
      };
      state.requeueTicket = ticket.requeue_open ? ticket : null;
      dialogError("call-number-dialog", "");
      $("requeue-text").textContent = fill(ticket.requeue_open ? T.requeue_offer : T.requeue_lapsed, values);
      $("requeue-offer").dataset.open = String(!!ticket.requeue_open);
      $("requeue-button").hidden = !ticket.requeue_open;
      $("requeue-offer").hidden = false;
      if (ticket.requeue_open) $("requeue-button").focus();
    });
  }

  function requeue() {
    var ticket = state.requeueTicket;
    if (!ticket) return;
    perform(function () { return api("POST", "/tickets/" + ticket.id + "/requeue"); }, function (done) {
      state.requeueTicket = null;
      closeDialogs();
      var ahead = typeof done.people_ahead === "number";
      showMessage(fill(ahead ? T.requeued_message_ahead : T.requeued_message,
        { number: done.number, count: done.people_ahead }), "ok");
    }, null, function (error) {
      if (!$("call-number-dialog").open) return false;
      $("requeue-button").hidden = true;
      state.requeueTicket = null;
      dialogRefusal("call-number-dialog", error);
      return true;
    });
  }

  // Read again whenever a window changes, even with the dialog open: what was chosen stays.
  // keepChoice: the dialog is open and the clerk may have chosen (a live update, not opening it).
  function fillTransferChoices(keepChoice) {
    var services = $("transfer-service");
    var service = services.value;
    services.textContent = "";
    var choose = document.createElement("option");
    choose.value = "";
    choose.textContent = T.choose_service;
    services.appendChild(choose);
    state.services.filter(function (service_) { return service_.active; }).forEach(function (service_) {
      var option = document.createElement("option");
      option.value = service_.id;
      option.textContent = service_.prefix + " · " + named(service_);
      services.appendChild(option);
    });
    if (service && services.querySelector("option[value='" + service + "']")) services.value = service;
    var windows = $("transfer-window");
    var chosen = windows.value;
    windows.textContent = "";
    // "Choose" first, as for services: Enter or a hurried click never sends the case to a window
    // the clerk did not pick.
    var chooseWindow = document.createElement("option");
    chooseWindow.value = "";
    chooseWindow.textContent = T.choose_window;
    windows.appendChild(chooseWindow);
    state.windows.filter(function (window_) { return window_.id !== state.windowId; }).forEach(function (window_) {
      var option = document.createElement("option");
      var label = window_.number + " · " + named(window_);
      option.value = window_.id;
      option.dataset.status = window_.status;
      // Nobody serves at a closed window: the server refuses a transfer there.
      option.disabled = window_.status === "closed";
      if (window_.status === "closed") label = fill(T.transfer_window_closed, { window: label });
      else if (window_.status === "paused") label = fill(T.transfer_window_paused, { window: label });
      option.textContent = label;
      windows.appendChild(option);
    });
    var previous = chosen && Array.prototype.filter.call(windows.options, function (option) {
      return option.value === chosen;
    })[0];
    // The clerk's choice stays, even if that window has just closed: its label says so and
    // sending is refused, rather than the case going to a window the clerk never chose.
    windows.selectedIndex = previous && (keepChoice || !previous.disabled) ? previous.index : 0;
  }

  // Windows that could take the case now (not the "choose" line, not a closed window).
  function openTransferWindows() {
    return Array.prototype.filter.call($("transfer-window").options, function (option) {
      return option.value && !option.disabled;
    });
  }

  function transferKind() { return document.querySelector("#transfer-form input[name=target_kind]:checked").value; }

  function submitTransfer(event) {
    event.preventDefault();
    var ticket = state.ticket;
    var reason = $("transfer-reason").value.trim();
    var body = { reason: reason };
    var refuse = function (text, field) {
      dialogError("transfer-dialog", text);
      field.focus();
    };
    if (transferKind() === "window") {
      var target = $("transfer-window").selectedOptions[0];
      if (!target || !target.value) {
        refuse(openTransferWindows().length ? T.transfer_window_required : T.no_open_window, $("transfer-window"));
        return;
      }
      if (target.disabled) { refuse(T.transfer_window_closed_message, $("transfer-window")); return; }
      body.to_window_id = Number(target.value);
    } else {
      if (!$("transfer-service").value) { refuse(T.transfer_service_required, $("transfer-service")); return; }
      body.to_service_id = Number($("transfer-service").value);
    }
    if (!reason) { refuse(T.transfer_reason_required, $("transfer-reason")); return; }
    closeDialogs();
    if (!ticket) { requireTicket(); return; }
    perform(function () { return api("POST", ticketPath(ticket, "transfer"), body); }, function (done) {
      showMessage(fill(T.transferred_message, { number: done.number }), "ok");
    }, T.transfer_refusals);
  }

  function pauseFor(reason) {
    var body = { change: "pause", reason: reason };
    var minutes = $("pause-minutes").value; // empty: a break at its rota time lasts the rota's
    if (minutes) body.pause_minutes = Number(minutes);
    closeDialogs();
    perform(function () { return api("POST", windowPath("/state"), body); }, null, T.window_refusals);
  }

  // ----- leaving the window, logging out -----

  // The tickets that keep the window from closing: the one called or served, and the parked
  // ones (the server counts them all; a parked case comes back to this window).
  function casesAtWindow() {
    var parked = (state.queue && state.queue.parked) || [];
    return (state.ticket ? [state.ticket] : []).concat(parked);
  }

  function numbers(tickets) {
    return tickets.map(function (ticket) { return ticket.number; }).join(LOCALE === "zh" ? "、" : ", ");
  }

  // What leaving needs first, in the dialog, before a confirm that could only be refused.
  function renderReleaseDialog() {
    var number = state.window ? state.window.number : "";
    var ticket = state.ticket;
    var parked = (state.queue && state.queue.parked) || [];
    var blocked = casesAtWindow().length > 0;
    var lines = [];
    if (ticket) {
      lines.push(fill(ticket.status === "serving" ? T.release_blocked_serving : T.release_blocked_called,
        { number: ticket.number }));
    }
    if (parked.length) lines.push(fill(T.release_blocked_parked, { numbers: numbers(parked) }));
    $("release-question").textContent = blocked
      ? fill(T.release_blocked_title, { number: number })
      : fill(T.confirm_release, { number: number });
    $("release-dialog").dataset.blocked = String(blocked);
    var todo = $("release-todo");
    todo.textContent = "";
    lines.forEach(function (line) {
      var item = document.createElement("li");
      item.textContent = line;
      todo.appendChild(item);
    });
    todo.hidden = !blocked;
    $("release-confirm").hidden = blocked;
    $("release-confirm").disabled = blocked;
  }

  // Logging out: a window with nothing at it closes; one with a case at it stays held by this
  // clerk until they come back or a manager frees it (the server's rule, auth_routes log_out).
  function renderLogoutDialog() {
    var held = !!state.window && !!state.windowId;
    var cases = held ? casesAtWindow() : [];
    var number = held ? state.window.number : "";
    $("logout-dialog").dataset.keepsWindow = String(cases.length > 0);
    $("logout-in-hand").hidden = !cases.length;
    $("logout-in-hand").textContent = cases.length
      ? fill(T.logout_in_hand, { window: number, numbers: numbers(cases) }) : "";
    $("logout-note").textContent = !held ? ""
      : cases.length ? T.logout_keeps_window : fill(T.logout_closes_window, { window: number });
    $("logout-note").hidden = !held;
    $("logout-confirm-label").textContent = cases.length ? T.logout_anyway : T.log_out;
  }

  function renderOpenDialogs() {
    if ($("release-dialog").open) renderReleaseDialog();
    if ($("logout-dialog").open) renderLogoutDialog();
  }

  function askLogOut() {
    if ($("desk-view").hidden || !state.window) { logOut(); return; }
    renderLogoutDialog();
    openDialog("logout-dialog", $("logout-cancel"));
  }

  function submitLogOut(event) {
    event.preventDefault();
    var cases = state.window && state.windowId ? casesAtWindow() : [];
    var kept = cases.length ? fill(T.logged_out_window_kept, { window: state.window.number }) : "";
    closeDialogs();
    logOut().then(function () { if (kept) showMessage(kept, "info"); });
  }

  function submitRelease(event) {
    event.preventDefault();
    if (casesAtWindow().length) { renderReleaseDialog(); return; }
    closeDialogs();
    perform(function () { return api("POST", windowPath("/release")); }, function () {
      showMessage(T.released_message, "ok");
      STORE.removeItem("hallq_counter_window");
      state.windowId = null;
      showWindows();
    }, T.window_refusals);
  }

  // ----- checking in a booked or pre-reviewed visitor (counter_check_in.js) -----

  // One action at a time, whichever part of the page starts it; null if one is under way.
  function exclusive(request) {
    if (state.busy) return Promise.resolve(null);
    state.busy = true;
    document.body.classList.add("busy");
    return request().then(function (answer) {
      notBusy();
      return answer;
    });
  }

  var checkIn = new window.HallqCounterCheckIn({
    text: T,
    api: api,
    exclusive: exclusive,
    idempotencyKey: idempotencyKey,
    fill: fill,
    named: named,
    // A manager stepping in at a window of a hall below checks visitors in to that hall.
    hallId: function () { return (state.window && state.window.hall_id) || state.user.hall_id; },
    window: function () { return state.window; },
    ticketInHand: function () { return state.ticket; },
    windowPath: windowPath,
    onIssued: function () { scheduleRefresh(); },
    onCalled: function (called) {
      state.figuresStale = true;
      announceCalled(called);
      refresh();
    },
  });

  // ----- keys -----

  function typingIn(element) {
    if (!element) return false;
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    return tag === "INPUT" && ["radio", "checkbox", "button", "submit"].indexOf(element.type) < 0;
  }

  function onDialogKey(dialog, event) {
    if (typingIn(event.target) && event.key !== "Enter") return;
    var digit = /^[1-9]$/.test(event.key) ? Number(event.key) : null;
    if (dialog.id === "finish-dialog") {
      if (digit && digit <= OUTCOMES.length) {
        event.preventDefault();
        var radio = dialog.querySelector("input[value=" + OUTCOMES[digit - 1] + "]");
        radio.checked = true;
        radio.focus();
      } else if (event.key === "Enter" && event.target.tagName !== "TEXTAREA") {
        event.preventDefault();
        submitFinish(event);
      }
    } else if (dialog.id === "pause-dialog" && digit && digit <= PAUSE_REASONS.length) {
      event.preventDefault();
      pauseFor(PAUSE_REASONS[digit - 1]);
    } else if (dialog.id === "resume-dialog" && digit) {
      var choice = dialog.querySelector("[data-index='" + digit + "']");
      if (choice) { event.preventDefault(); choice.click(); }
    }
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var open = document.querySelector("dialog[open]");
    if (open) { onDialogKey(open, event); return; }
    if ($("desk-view").hidden || typingIn(event.target)) return;
    if (event.key === "?") {
      event.preventDefault();
      $("shortcuts").scrollIntoView();
      $("shortcuts").classList.add("highlight");
      setTimeout(function () { $("shortcuts").classList.remove("highlight"); }, 1500);
      return;
    }
    var action = KEYS[event.key.toLowerCase()];
    if (!action) return;
    event.preventDefault();
    run(action);
  }

  // ----- start -----

  function wire() {
    $("login-form").addEventListener("submit", logIn);
    $("logout-button").addEventListener("click", askLogOut);
    $("logout-form").addEventListener("submit", submitLogOut);
    document.querySelectorAll("[data-action]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        // The second click of a double-click on the dialog's button, landing here once the
        // dialog has closed under it (a click of its own has detail 1).
        if (event.detail > 1 && justClosedDialog()) return;
        run(button.dataset.action);
      });
    });
    $("requeue-button").addEventListener("click", requeue);
    document.querySelectorAll("dialog [data-close]").forEach(function (button) {
      button.addEventListener("click", closeDialogs);
    });
    $("finish-form").addEventListener("submit", submitFinish);
    $("call-number-form").addEventListener("submit", submitCallNumber);
    $("transfer-form").addEventListener("submit", submitTransfer);
    $("release-form").addEventListener("submit", submitRelease);
    checkIn.wire();
    document.querySelectorAll("#pause-dialog [data-reason]").forEach(function (button) {
      button.addEventListener("click", function () { pauseFor(button.dataset.reason); });
    });
    document.querySelectorAll("#transfer-form input[name=target_kind]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        var toWindow = transferKind() === "window";
        $("transfer-window-label").hidden = !toWindow;
        $("transfer-service-label").hidden = toWindow;
      });
    });
    document.addEventListener("keydown", onKey);
    setInterval(tickAtWindow, 1000);
  }

  function begin() {
    wire();
    if (!state.token || !state.user) { showLogin(); return; }
    api("GET", "/auth/me").then(function (answer) {
      if (!answer.ok) { if (answer.status !== 401) showLogin(); return; }
      state.user = answer.data;
      $("clerk-name").textContent = state.user.name + " (" + state.user.staff_number + ")";
      if (state.windowId) showDesk();
      else showWindows();
    });
  }

  window.HallqCounter = { state: state, refresh: refresh };
  begin();
})();
