// HallLive: one hall's live state for any page (board, counter, kiosk, dashboard).
// It connects over Socket.IO, takes the snapshot the server sends on connect, applies events in
// `seq` order, and asks for a fresh snapshot when it sees a gap, so a dropped connection or a
// server restart never leaves the page wrong. With several server processes, events of one hall
// may overtake each other by a few milliseconds on their way through Redis: an event that comes
// ahead of a missing one is held for `gapWaitMs`, and applied in order once the missing one
// arrives; only a gap that persists that long asks for a resync. Reconnection backs off up to
// 10 s, also when the server refused the connection (Socket.IO itself gives up then), and a
// resync that gets no answer is asked again.
//
// Events a page may listen to: "snapshot", every hall event by name ("ticket.called", ...),
// "event" ({name, message} for each), "online" / "offline" (the latter only after
// `offlineAfterMs` without the server, so a blip shows nothing), "connect_error", and
// "pages.updated" (a snapshot from a server that hands out other pages: after an upgrade).
// A device page hears "device.revoked" when a manager revokes it (or, if it missed that, when
// the server refuses its token): the connection is closed for good, and the page says so.
// A device page (its token starts with "d_") also says it is alive (`device.health`) on connect
// and every `heartbeatMs`, so the managers' dashboard sees a board that has gone silent.
(function (global) {
  "use strict";

  function HallLive(options) {
    this.options = Object.assign(
      {
        url: "",
        hallId: null,
        token: null,
        offlineAfterMs: 4000,
        resyncTimeoutMs: 5000,
        reconnectDelayMs: 500,
        reconnectDelayMaxMs: 10000,
        maxBufferedEvents: 500,
        gapWaitMs: 250,
        heartbeatMs: 60000,
      },
      options || {}
    );
    this.seq = null; // the hall's seq the page state is at; null until the first snapshot
    this.pagesVersion = null; // the pages' version of the server this page first heard from
    this.snapshot = null;
    this.handlers = {};
    this.buffer = []; // events that arrive before the snapshot they follow
    this.held = {}; // seq -> [name, message]: events that came ahead of one still missing
    this.heldCount = 0;
    this.gapTimer = null;
    this.connected = false;
    this.online = null; // what the page was last told: true ("online"), false ("offline")
    this.resyncing = false;
    this.replaying = false;
    this.offlineTimer = null;
    this.resyncTimer = null;
    this.retryTimer = null;
    this.heartbeatTimer = null;
    this.refusedAttempts = 0;
    this.revoked = false; // a device whose token a manager revoked: it stays disconnected
    this.lastContactAt = null; // Date.now() of the last message from the server
    // gaps: gaps that persisted (each asked for a resync); reordered: events that came out of
    // order and were applied in order after all.
    this.stats = {
      snapshots: 0, resyncs: 0, events: 0, gaps: 0, reordered: 0, connects: 0, refusals: 0,
    };
  }

  HallLive.prototype.on = function (name, handler) {
    (this.handlers[name] = this.handlers[name] || []).push(handler);
    return this;
  };

  HallLive.prototype.fire = function (name, data) {
    (this.handlers[name] || []).forEach(function (handler) {
      try { handler(data); } catch (error) { console.error(error); }
    });
  };

  HallLive.prototype.start = function () {
    var self = this;
    var auth = {};
    if (self.options.hallId !== null) auth.hall_id = self.options.hallId;
    if (self.options.token) auth.token = self.options.token;
    self.socket = global.io(self.options.url, {
      auth: auth,
      transports: ["websocket", "polling"],
      reconnection: true,
      reconnectionDelay: self.options.reconnectDelayMs,
      reconnectionDelayMax: self.options.reconnectDelayMaxMs,
      randomizationFactor: 0.5,
    });
    self.socket.on("connect", function () {
      self.connected = true;
      self.refusedAttempts = 0;
      self.stats.connects += 1;
      self.touch();
      self.clearOfflineTimer();
      self.setOnline(true);
      self.startHeartbeat();
    });
    self.socket.on("disconnect", function () {
      self.connected = false;
      clearInterval(self.heartbeatTimer);
      self.seq = null; // whatever we missed, the next snapshot brings
      self.bufferHeld();
      self.resyncing = false;
      clearTimeout(self.resyncTimer);
      if (!self.revoked) self.startOfflineTimer();
    });
    self.socket.on("device.revoked", function () { self.endRevoked(false); });
    self.socket.on("connect_error", function (error) {
      self.fire("connect_error", error && error.message);
      if (self.isDevice() && error && error.data && error.data.code === "unauthorized") {
        self.endRevoked(true); // revoked while this page was away
        return;
      }
      self.startOfflineTimer();
      // A refusal by the server (e.g. it could not check the token during a database
      // hiccup) ends Socket.IO's own retries; keep trying, more slowly each time.
      if (!self.socket.active) {
        self.stats.refusals += 1;
        self.scheduleRetry();
      }
    });
    self.socket.on("snapshot", function (snapshot) { self.applySnapshot(snapshot); });
    self.socket.onAny(function (name, message) {
      self.touch();
      if (name === "snapshot") return;
      if (message && typeof message.seq === "number") self.receive(name, message);
      else self.fire(name, message);
    });
    return self;
  };

  HallLive.prototype.isDevice = function () {
    return Boolean(this.options.token) && String(this.options.token).indexOf("d_") === 0;
  };

  // No retries, no heartbeat: the token will not be accepted again. `announce` when the
  // server refused the token (the "device.revoked" message itself reaches the page by onAny).
  HallLive.prototype.endRevoked = function (announce) {
    if (this.revoked) return;
    this.revoked = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.heartbeatTimer);
    this.socket.disconnect();
    if (announce) this.fire("device.revoked", {});
  };

  HallLive.prototype.startHeartbeat = function () {
    var self = this;
    clearInterval(self.heartbeatTimer);
    if (!self.isDevice()) return;
    if (!self.options.heartbeatMs) return;
    var beat = function () { if (self.connected) self.socket.emit("device.health", {}); };
    beat();
    self.heartbeatTimer = setInterval(beat, self.options.heartbeatMs);
  };

  HallLive.prototype.touch = function () {
    this.lastContactAt = Date.now();
  };

  HallLive.prototype.setOnline = function (online) {
    if (this.online === online) return;
    this.online = online;
    this.fire(online ? "online" : "offline", true);
  };

  HallLive.prototype.startOfflineTimer = function () {
    var self = this;
    if (self.offlineTimer !== null || self.connected) return;
    self.offlineTimer = setTimeout(function () {
      self.offlineTimer = null;
      if (!self.connected) self.setOnline(false);
    }, self.options.offlineAfterMs);
  };

  HallLive.prototype.clearOfflineTimer = function () {
    clearTimeout(this.offlineTimer);
    this.offlineTimer = null;
  };

  HallLive.prototype.scheduleRetry = function () {
    var self = this;
    clearTimeout(self.retryTimer);
    self.refusedAttempts += 1;
    var delay = Math.min(
      self.options.reconnectDelayMaxMs,
      self.options.reconnectDelayMs * Math.pow(2, self.refusedAttempts - 1)
    );
    delay = delay * (0.75 + Math.random() * 0.5);
    self.retryTimer = setTimeout(function () {
      if (!self.revoked && !self.connected && !self.socket.active) self.socket.connect();
    }, delay);
  };

  // After an upgrade the server hands out other pages: "pages.updated" tells the page, which
  // reloads (reloadWhenUpdated) or says so to the person at it (offerReloadWhenUpdated).
  HallLive.prototype.notePagesVersion = function (version) {
    if (!version) return;
    if (this.pagesVersion === null) {
      this.pagesVersion = version;
    } else if (version !== this.pagesVersion) {
      this.pagesVersion = version;
      this.fire("pages.updated", version);
    }
  };

  // Screens nobody works at (boards, displays, kiosks, rating pads): reload once the pages are
  // updated, as soon as `isIdle()` says nobody is in the middle of something (checked every 5 s).
  HallLive.prototype.reloadWhenUpdated = function (isIdle) {
    this.on("pages.updated", function () {
      var reloadWhenIdle = function () {
        if (!isIdle || isIdle()) global.location.reload();
        else setTimeout(reloadWhenIdle, 5000);
      };
      reloadWhenIdle();
    });
    return this;
  };

  // Pages a person works at (counter, dashboard): a bar at the top with `text.message` and a
  // button `text.button` that reloads; their work is theirs to finish first.
  HallLive.prototype.offerReloadWhenUpdated = function (text) {
    this.on("pages.updated", function () {
      if (global.document.getElementById("hallq-pages-updated")) return;
      var bar = global.document.createElement("div");
      bar.id = "hallq-pages-updated";
      bar.setAttribute("role", "status");
      bar.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:1000;display:flex;" +
        "gap:1rem;align-items:center;justify-content:center;padding:.5rem 1rem;" +
        "background:#ffd200;color:#0b1f3a;font-size:1rem";
      var message = global.document.createElement("span");
      message.textContent = text.message;
      var button = global.document.createElement("button");
      button.type = "button";
      button.textContent = text.button;
      button.addEventListener("click", function () { global.location.reload(); });
      bar.appendChild(message);
      bar.appendChild(button);
      global.document.body.appendChild(bar);
    });
    return this;
  };

  HallLive.prototype.applySnapshot = function (snapshot) {
    this.notePagesVersion(snapshot.pages_version);
    this.snapshot = snapshot;
    this.seq = snapshot.seq;
    this.resyncing = false;
    clearTimeout(this.resyncTimer);
    this.stats.snapshots += 1;
    this.fire("snapshot", snapshot);
    this.bufferHeld();
    var pending = this.buffer.splice(0);
    pending.sort(function (a, b) { return a[1].seq - b[1].seq; });
    this.replaying = true;
    try {
      for (var i = 0; i < pending.length; i++) this.receive(pending[i][0], pending[i][1]);
    } finally {
      this.replaying = false;
    }
  };

  HallLive.prototype.receive = function (name, message) {
    if (this.seq === null || this.resyncing) {
      this.buffer.push([name, message]);
      if (this.buffer.length > this.options.maxBufferedEvents) {
        this.buffer.splice(0, this.buffer.length - this.options.maxBufferedEvents);
      }
      return;
    }
    if (message.seq <= this.seq) return; // already part of the state we have
    // A gap right after a fresh snapshot cannot be filled by another one (the snapshot is read
    // after the event was committed): take the newer event rather than resync in a loop.
    if (message.seq > this.seq + 1 && !this.replaying) {
      this.hold(name, message);
      return;
    }
    this.apply(name, message);
    this.releaseHeld();
  };

  HallLive.prototype.apply = function (name, message) {
    this.seq = message.seq;
    this.stats.events += 1;
    this.fire(name, message);
    this.fire("event", { name: name, message: message });
  };

  // An event ahead of a missing one waits a moment for it: another process may have sent it.
  HallLive.prototype.hold = function (name, message) {
    if (!this.held[message.seq]) {
      this.held[message.seq] = [name, message];
      this.heldCount += 1;
    }
    if (this.heldCount > this.options.maxBufferedEvents) this.gapPersists();
    else if (this.gapTimer === null) this.startGapTimer();
  };

  HallLive.prototype.startGapTimer = function () {
    var self = this;
    self.gapTimer = setTimeout(function () {
      self.gapTimer = null;
      if (self.heldCount > 0) self.gapPersists();
    }, self.options.gapWaitMs);
  };

  // Applies the held events that now follow on; a gap further on gets a full wait of its own.
  HallLive.prototype.releaseHeld = function () {
    if (this.heldCount === 0) return;
    var released = false;
    var next;
    while ((next = this.held[this.seq + 1])) {
      delete this.held[this.seq + 1];
      this.heldCount -= 1;
      this.stats.reordered += 1;
      released = true;
      this.apply(next[0], next[1]);
    }
    if (this.heldCount === 0) {
      this.clearGapTimer();
    } else if (released) {
      this.clearGapTimer();
      this.startGapTimer();
    }
  };

  HallLive.prototype.gapPersists = function () {
    this.clearGapTimer();
    this.stats.gaps += 1;
    this.bufferHeld();
    this.resync();
  };

  // The held events, in seq order, taken out of the hold.
  HallLive.prototype.takeHeld = function () {
    var held = this.held;
    var events = Object.keys(held).map(function (seq) { return held[seq]; });
    events.sort(function (a, b) { return a[1].seq - b[1].seq; });
    this.held = {};
    this.heldCount = 0;
    return events;
  };

  // Held events join the buffer that the next snapshot replays.
  HallLive.prototype.bufferHeld = function () {
    this.clearGapTimer();
    Array.prototype.push.apply(this.buffer, this.takeHeld());
  };

  HallLive.prototype.clearGapTimer = function () {
    clearTimeout(this.gapTimer);
    this.gapTimer = null;
  };

  HallLive.prototype.resync = function () {
    var self = this;
    if (self.resyncing || !self.socket) return;
    self.resyncing = true;
    self.stats.resyncs += 1;
    self.socket.emit("resync", {});
    clearTimeout(self.resyncTimer);
    // No snapshot in time (lost on the way, or the server was busy): ask again.
    self.resyncTimer = setTimeout(function () {
      if (!self.resyncing) return;
      self.resyncing = false;
      if (self.connected) self.resync();
    }, self.options.resyncTimeoutMs);
  };

  HallLive.prototype.emit = function (name, data, callback) {
    if (this.socket) this.socket.emit(name, data, callback);
  };

  global.HallLive = HallLive;
})(window);
