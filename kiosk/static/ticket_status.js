// A ticket's live status on the visitor's phone: it follows the hall's live events and asks
// the server for the ticket's place whenever the queue moves, so it is never stale for long.
(function () {
  "use strict";

  var HALLQ = window.HALLQ;
  var T = HALLQ.text;
  var LOCALE = HALLQ.locale;
  var TOKEN = HALLQ.statusToken;
  var ticket = HALLQ.ticket;
  var refreshTimer = null;
  var REFRESH_DELAY_MS = 400; // several events in a burst need one refresh

  function $(id) { return document.getElementById(id); }
  var fill = window.HallqWaitText.fill;
  function named(item) { return LOCALE === "en" && item.name_en ? item.name_en : item.name; }
  function waitText(estimate) { return window.HallqWaitText.waitText(T, estimate); }
  function windowName(window_) {
    if (!window_) return "";
    if (LOCALE === "en") return fill(T.window_number, { n: window_.number });
    return window_.name;
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

  function render() {
    $("status-number").textContent = ticket.number;
    $("status-service").textContent = named(ticket.service);
    var texts = {
      waiting: T.status_waiting, called: T.status_called, serving: T.status_serving,
      parked: T.status_parked, finished: T.status_finished,
      no_show: ticket.requeue_until ? T.status_missed : T.status_no_show,
      cancelled: T.status_cancelled,
    };
    $("status-text").textContent = fill(texts[ticket.status] || ticket.status,
      { window: windowName(ticket.window) });
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

  render();
  if (window.HallLive) {
    var live = new window.HallLive({ hallId: ticket.hall_id });
    live.reloadWhenUpdated(function () { return $("cancel-confirm").hidden; });
    live.on("snapshot", refresh); // after a reconnect, catch up on what was missed
    live.on("event", onEvent);
    live.on("online", function () { document.body.classList.remove("offline"); });
    live.on("offline", function () { document.body.classList.add("offline"); });
    live.start();
  }
})();
