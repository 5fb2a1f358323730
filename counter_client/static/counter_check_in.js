// The counter's check-in panel: a visitor with an online booking or pre-review who walks straight
// to the window. The kiosk's two steps: ask what the code or ID number gives (nothing changes),
// then issue with it through the one issue endpoint, so the ticket is the one the kiosk would
// give (same class, same queue place, each booking used once). Then, if the window is free and
// the visitor is not early, the clerk calls that ticket at once. Each write keeps its
// Idempotency-Key until it succeeds: "Try again" after a lost answer gets the same ticket (or the
// same call) back, never a second one. counter.js owns the page and hands over what it needs.
(function (global) {
  "use strict";

  var ID_NUMBER = /^[0-9]{17}[0-9Xx]$/;

  function $(id) { return document.getElementById(id); }

  function nothingYet() {
    return { brought: null, preview: null, issueKey: null, ticket: null, slotLocal: null, callKey: null, retry: null };
  }

  // page: {text (page text), api(method, path, body, options), exclusive(request) -> answer|null,
  //   idempotencyKey(), fill, named, hallId(), window(), ticketInHand(), windowPath(suffix),
  //   onIssued(ticket), onCalled(ticket)}
  function HallqCounterCheckIn(page) {
    this.page = page;
    this.C = page.text.check_in;
    this.at = nothingYet();
  }

  HallqCounterCheckIn.prototype.wire = function () {
    var self = this;
    $("check-in-form").addEventListener("submit", function (event) { self.lookUp(event); });
    $("check-in-confirm").addEventListener("click", function () { self.issue(); });
    $("check-in-call").addEventListener("click", function () { self.call(); });
    $("check-in-clear").addEventListener("click", function () { self.clear(); });
    $("check-in-done").addEventListener("click", function () { self.clear(); });
    $("check-in-retry").addEventListener("click", function () { if (self.at.retry) self.at.retry(); });
    $("check-in-panel").addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      self.clear();
      event.target.blur();
    });
  };

  HallqCounterCheckIn.prototype.focus = function () {
    $("check-in-input").focus();
    $("check-in-input").select();
  };

  HallqCounterCheckIn.prototype.clear = function () {
    this.at = nothingYet(); // the code or ID number is not kept once done with
    $("check-in-input").value = "";
    $("check-in-preview").hidden = true;
    $("check-in-result").hidden = true;
    $("check-in-error").hidden = true;
  };

  HallqCounterCheckIn.prototype.step = function (request, onDone) {
    var self = this;
    self.page.exclusive(request).then(function (answer) {
      if (!answer) return; // another action was under way
      if (!answer.ok) {
        self.showRefusal(answer, function () { self.step(request, onDone); });
        return;
      }
      $("check-in-error").hidden = true;
      onDone(answer.data);
    });
  };

  // A refusal names what the clerk can do next: the check-in's own words in full where it has
  // them (the server's reason is worded for the visitor at a kiosk: "please book an
  // appointment"); otherwise the summary and the server's reason. A lost answer or an
  // unreachable database offers the same request again.
  HallqCounterCheckIn.prototype.showRefusal = function (answer, retry) {
    var T = this.page.text;
    var error = answer.error;
    var lost = answer.status === 0 || answer.status >= 500;
    var own = !lost && this.C.refusals[error.code];
    var advice = !lost && this.C.refusal_advice[error.code];
    var join = global.HallqStaffClient.joinRefusal;
    $("check-in-error-text").textContent = own ||
      (advice && error.message ? join(error.message, advice) : "") ||
      join(T.refusals[error.code] || T.refusals.error, error.code === "network" ? "" : error.message);
    $("check-in-error").dataset.code = error.code;
    $("check-in-error").hidden = false;
    this.at.retry = lost ? retry : null;
    $("check-in-retry").textContent = this.C.try_again;
    $("check-in-retry").hidden = !lost;
    if (lost) $("check-in-retry").focus();
  };

  HallqCounterCheckIn.prototype.lookUp = function (event) {
    var self = this;
    event.preventDefault();
    var value = $("check-in-input").value.trim();
    self.at = nothingYet();
    $("check-in-preview").hidden = true;
    $("check-in-result").hidden = true;
    if (!value) {
      self.showRefusal({ status: 422, error: { code: "validation_failed", message: "" } });
      return;
    }
    var body = ID_NUMBER.test(value) ? { id_number: value.toUpperCase() } : { code: value };
    var brought = body.id_number || body.code;
    self.step(function () {
      return self.page.api("POST", "/halls/" + self.page.hallId() + "/check-in-preview", body);
    }, function (preview) { self.showPreview(brought, preview); });
    // The next scan or typing replaces what was read, whatever the answer.
    $("check-in-input").select();
  };

  // What was found, as the kiosk says it: the slot or the pre-review, and the masked name.
  HallqCounterCheckIn.prototype.facts = function (booking) {
    var C = this.C;
    var facts = [];
    if (booking.kind === "appointment") facts.push(this.page.fill(C.appointment, { time: booking.slot_local }));
    if (booking.pre_review_result === "passed") facts.push(C.pre_review_passed);
    else if (booking.pre_review_result) facts.push(C.pre_review_to_correct);
    if (booking.applicant_name) facts.push(booking.applicant_name);
    return facts.join(" · ");
  };

  HallqCounterCheckIn.prototype.note = function (booking) {
    var C = this.C;
    var values = { time: booking.slot_local, grace: booking.grace_minutes };
    var notes = [];
    if (booking.kind === "appointment") {
      if (booking.punctuality === "early") notes.push(this.page.fill(C.note_early, values));
      else if (booking.punctuality === "on_time") notes.push(C.note_on_time);
      else notes.push(this.page.fill(C.note_too_late, values));
    }
    if (booking.kind === "pre_review" || booking.punctuality === "too_late") {
      if (booking.pre_review_result === "passed") notes.push(C.note_pre_review_passed);
      else if (booking.pre_review_result) notes.push(C.note_pre_review_to_correct);
    }
    return notes.join(" ");
  };

  HallqCounterCheckIn.prototype.showPreview = function (brought, preview) {
    var T = this.page.text;
    var booking = preview.booking;
    this.at.brought = brought;
    this.at.preview = preview;
    this.at.issueKey = this.page.idempotencyKey();
    $("check-in-service").textContent = preview.service.prefix + " · " + this.page.named(preview.service);
    $("check-in-found").textContent = this.facts(booking);
    $("check-in-class").textContent = T.visitor_class[booking.visitor_class] || booking.visitor_class;
    $("check-in-class").dataset.visitorClass = booking.visitor_class;
    $("check-in-note").textContent = this.note(booking);
    $("check-in-note").dataset.punctuality = booking.punctuality || "";
    $("check-in-preview").hidden = false;
    $("check-in-confirm").focus();
  };

  HallqCounterCheckIn.prototype.issue = function () {
    var self = this;
    var preview = self.at.preview;
    if (!preview) return;
    var body = { service_id: preview.service.id };
    body[preview.booking.issue_field] = self.at.brought;
    var options = { headers: { "Idempotency-Key": self.at.issueKey } };
    self.step(function () {
      return self.page.api("POST", "/halls/" + self.page.hallId() + "/tickets", body, options);
    }, function (ticket) { self.showIssued(ticket); });
  };

  HallqCounterCheckIn.prototype.showIssued = function (ticket) {
    var T = this.page.text;
    var fill = this.page.fill;
    var slot = this.at.preview.booking.slot_local;
    this.clear();
    this.at.ticket = ticket;
    this.at.slotLocal = slot;
    this.at.callKey = this.page.idempotencyKey();
    $("check-in-number").textContent = ticket.number;
    $("check-in-ticket-class").textContent = T.visitor_class[ticket.visitor_class] || ticket.visitor_class;
    $("check-in-ticket-class").dataset.visitorClass = ticket.visitor_class;
    $("check-in-ahead").textContent = ticket.people_ahead === null || ticket.people_ahead === undefined
      ? "" : fill(this.C.people_ahead, { count: ticket.people_ahead });
    $("check-in-issued-note").textContent = fill(this.C.issued, { number: ticket.number });
    $("check-in-result").hidden = false;
    this.render();
    ($("check-in-call").hidden ? $("check-in-done") : $("check-in-call")).focus();
    this.page.onIssued(ticket);
  };

  // Whether the ticket just issued can be called here at once, and if not, why: an early
  // arrival waits for its slot; the window must serve the ticket's service, be open and free.
  // counter.js calls this whenever it has read the window again.
  HallqCounterCheckIn.prototype.render = function () {
    var C = this.C;
    var ticket = this.at.ticket;
    if (!ticket) return;
    var window_ = this.page.window();
    var services = (window_ && window_.services) || [];
    var served = services.some(function (service) { return service.id === ticket.service.id; });
    var values = { number: ticket.number, service: this.page.named(ticket.service), time: this.at.slotLocal };
    var due = ticket.appointment_due_at ? new Date(ticket.appointment_due_at).getTime() : 0;
    var blocker = null;
    if (due > Date.now()) blocker = C.wait_for_slot;
    else if (!served) blocker = C.service_elsewhere;
    else if (!window_ || window_.status !== "open") blocker = C.window_not_open;
    else if (this.page.ticketInHand()) blocker = C.window_busy;
    $("check-in-call").textContent = this.page.fill(C.call_now, values);
    $("check-in-call").hidden = !!blocker;
    $("check-in-call-note").textContent = blocker ? this.page.fill(blocker, values) : "";
    $("check-in-call-note").hidden = !blocker;
    $("check-in-result").dataset.callable = blocker ? "false" : "true";
  };

  HallqCounterCheckIn.prototype.call = function () {
    var self = this;
    var ticket = self.at.ticket;
    if (!ticket) return;
    var options = { headers: { "Idempotency-Key": self.at.callKey } };
    self.step(function () {
      return self.page.api("POST", self.page.windowPath("/call"), { ticket_id: ticket.id }, options);
    }, function (called) {
      self.clear();
      self.page.onCalled(called);
    });
  };

  global.HallqCounterCheckIn = HallqCounterCheckIn;
})(window);
