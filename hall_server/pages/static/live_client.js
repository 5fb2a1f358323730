// HallLive: one hall's live state for any page (board, counter, kiosk, dashboard).
// It connects over Socket.IO, takes the snapshot the server sends on connect, applies events in
// `seq` order, and asks for a fresh snapshot when it sees a gap, so a dropped connection or a
// server restart never leaves the page wrong. Reconnection backs off up to 10 s.
(function (global) {
  "use strict";

  function HallLive(options) {
    this.options = Object.assign(
      { url: "", hallId: null, token: null, offlineAfterMs: 4000 },
      options || {}
    );
    this.seq = null; // the hall's seq the page state is at; null until the first snapshot
    this.snapshot = null;
    this.handlers = {};
    this.buffer = []; // events that arrive before the snapshot they follow
    this.connected = false;
    this.resyncing = false;
    this.offlineTimer = null;
    this.stats = { snapshots: 0, resyncs: 0, events: 0, gaps: 0 };
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
      reconnectionDelay: 500,
      reconnectionDelayMax: 10000,
      randomizationFactor: 0.5,
    });
    self.socket.on("connect", function () {
      self.connected = true;
      clearTimeout(self.offlineTimer);
      self.fire("online", true);
    });
    self.socket.on("disconnect", function () {
      self.connected = false;
      self.seq = null; // whatever we missed, the next snapshot brings
      clearTimeout(self.offlineTimer);
      self.offlineTimer = setTimeout(function () {
        if (!self.connected) self.fire("offline", true);
      }, self.options.offlineAfterMs);
    });
    self.socket.on("connect_error", function (error) {
      self.fire("connect_error", error && error.message);
      if (!self.offlineTimer || self.connected) {
        self.offlineTimer = setTimeout(function () {
          if (!self.connected) self.fire("offline", true);
        }, self.options.offlineAfterMs);
      }
    });
    self.socket.on("snapshot", function (snapshot) { self.applySnapshot(snapshot); });
    self.socket.onAny(function (name, message) {
      if (name === "snapshot") return;
      if (message && typeof message.seq === "number") self.receive(name, message);
      else self.fire(name, message);
    });
    return self;
  };

  HallLive.prototype.applySnapshot = function (snapshot) {
    this.snapshot = snapshot;
    this.seq = snapshot.seq;
    this.resyncing = false;
    this.stats.snapshots += 1;
    this.fire("snapshot", snapshot);
    var pending = this.buffer.splice(0);
    for (var i = 0; i < pending.length; i++) this.receive(pending[i][0], pending[i][1]);
  };

  HallLive.prototype.receive = function (name, message) {
    if (this.seq === null || this.resyncing) {
      this.buffer.push([name, message]);
      return;
    }
    if (message.seq <= this.seq) return; // already part of the state we have
    if (message.seq > this.seq + 1) {
      this.stats.gaps += 1;
      this.resync();
      this.buffer.push([name, message]);
      return;
    }
    this.seq = message.seq;
    this.stats.events += 1;
    this.fire(name, message);
    this.fire("event", { name: name, message: message });
  };

  HallLive.prototype.resync = function () {
    if (this.resyncing || !this.socket) return;
    this.resyncing = true;
    this.stats.resyncs += 1;
    this.socket.emit("resync", {});
  };

  HallLive.prototype.emit = function (name, data, callback) {
    if (this.socket) this.socket.emit(name, data, callback);
  };

  global.HallLive = HallLive;
})(window);
