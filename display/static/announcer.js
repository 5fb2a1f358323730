// HallAnnouncer: speaks calls from a library of short clips, one announcement at a time.
//
// A call becomes a chime and then 请 A023 号 到 3 号窗口 办理 (optionally "Number A023, please
// go to window 3"), a recall 请 A023 号 再次到 3 号窗口 办理: the ticket's letters and digits are read one by one, the window number as a
// number. Announcements wait in a queue and never talk over each other. Clips come from the
// server (/display/voice/...), which serves a hall's own recordings in place of the generated
// ones; they are cached once decoded, so a board keeps speaking while the server restarts.
//
// The queue is visible for tests and diagnosis as window.hallqAnnouncer: `log` holds every
// announcement in the order it was queued, with its state and performance.now() times.
(function (global) {
  "use strict";

  var PAUSE = "pause:";
  var MAX_PENDING = 20; // beyond this the oldest waiting announcement is skipped, not delayed

  function charClips(character, language) {
    var c = character.toLowerCase();
    if (/[0-9]/.test(c)) return [language === "zh" ? "zh/digit-" + c + ".wav" : "en/n-" + c + ".wav"];
    if (/[a-z]/.test(c)) return [language + "/letter-" + c + ".wav"];
    return []; // a dash or space in a number is not read
  }

  function ticketClips(number, language) {
    var clips = [];
    String(number).split("").forEach(function (c) { clips = clips.concat(charClips(c, language)); });
    return clips;
  }

  function digitsOneByOne(n, language) {
    return ticketClips(String(n), language);
  }

  // 3 -> 三, 10 -> 十, 12 -> 十二, 20 -> 二十, 23 -> 二十三; from 100 digit by digit.
  function zhWindowClips(n) {
    if (n < 0 || n >= 100) return digitsOneByOne(n, "zh");
    if (n < 10) return ["zh/digit-" + n + ".wav"];
    var tens = Math.floor(n / 10), units = n % 10;
    var clips = tens === 1 ? [] : ["zh/digit-" + tens + ".wav"];
    clips.push("zh/shi.wav");
    if (units) clips.push("zh/digit-" + units + ".wav");
    return clips;
  }

  function enWindowClips(n) {
    if (n < 0 || n >= 100) return digitsOneByOne(n, "en");
    if (n < 20) return ["en/n-" + n + ".wav"];
    var clips = ["en/n-" + (n - (n % 10)) + ".wav"];
    if (n % 10) clips.push("en/n-" + (n % 10) + ".wav");
    return clips;
  }

  // What to say for one call: the clip names in order and the same words as text. A recall
  // (call.kind "recall") says it again as a repeat: 请 A023 号 再次到 3 号窗口 办理,
  // "Number A023, please go to window 3 again".
  function phraseFor(call, options) {
    options = options || {};
    var number = String(call.number), window = Number(call.window);
    var again = call.kind === "recall";
    var clips = [];
    if (options.chime !== false) clips.push("chime.wav", PAUSE + "0.2");
    clips.push("zh/qing.wav");
    clips = clips.concat(ticketClips(number, "zh"));
    clips.push("zh/hao.wav", PAUSE + "0.1");
    if (again) clips.push("zh/zaici.wav");
    clips.push("zh/dao.wav");
    clips = clips.concat(zhWindowClips(window));
    clips.push("zh/hao.wav", "zh/chuangkou.wav", "zh/banli.wav");
    var text = "请 " + number + " 号 " + (again ? "再次到 " : "到 ") + window + " 号窗口 办理";
    if (options.english) {
      clips.push(PAUSE + "0.5", "en/number.wav");
      clips = clips.concat(ticketClips(number, "en"));
      clips.push(PAUSE + "0.15", "en/please-go-to-window.wav");
      clips = clips.concat(enWindowClips(window));
      if (again) clips.push("en/again.wav");
      text += " / Number " + number + ", please go to window " + window + (again ? " again" : "");
    }
    return { clips: clips, text: text };
  }

  function HallAnnouncer(options) {
    this.baseUrl = (options && options.baseUrl) || "/display/voice/";
    this.settings = { enabled: true, volume: 0.8, english: false, chime: true };
    this.log = [];
    this.queue = [];
    this.current = null;
    this.handlers = {};
    this.buffers = {}; // clip name -> Promise of AudioBuffer or null
    this.context = null;
    this.gain = null;
    this.nextId = 1;
    this.configure(options && options.settings);
  }

  HallAnnouncer.prototype.on = function (name, handler) {
    (this.handlers[name] = this.handlers[name] || []).push(handler);
    return this;
  };

  HallAnnouncer.prototype.fire = function (name, data) {
    (this.handlers[name] || []).forEach(function (handler) {
      try { handler(data); } catch (error) { console.error(error); }
    });
  };

  HallAnnouncer.prototype.configure = function (voice) {
    Object.assign(this.settings, voice || {});
    if (this.gain) this.gain.gain.value = this.volume();
  };

  HallAnnouncer.prototype.volume = function () {
    var volume = Number(this.settings.volume);
    return isFinite(volume) ? Math.max(0, Math.min(1, volume)) : 0.8;
  };

  HallAnnouncer.prototype.audio = function () {
    if (!this.context) {
      var AudioContext = global.AudioContext || global.webkitAudioContext;
      if (!AudioContext) return null;
      this.context = new AudioContext();
      this.gain = this.context.createGain();
      this.gain.gain.value = this.volume();
      this.gain.connect(this.context.destination);
    }
    return this.context;
  };

  // Without the browser flag that allows sound before a tap, the context starts suspended.
  HallAnnouncer.prototype.unlock = function () {
    var context = this.audio();
    if (!context || context.state === "running") return Promise.resolve();
    // resume() stays pending until the browser allows sound: do not wait for it long.
    return Promise.race([
      context.resume().catch(function () {}),
      new Promise(function (resolve) { setTimeout(resolve, 300); }),
    ]);
  };

  HallAnnouncer.prototype.load = function (name) {
    var self = this;
    if (!self.buffers[name]) {
      self.buffers[name] = fetch(self.baseUrl + name)
        .then(function (response) {
          if (!response.ok) throw new Error(name + ": " + response.status);
          return response.arrayBuffer();
        })
        .then(function (data) { return self.audio().decodeAudioData(data); })
        .catch(function (error) {
          console.warn("voice clip missing", error);
          delete self.buffers[name]; // try again next time, e.g. after a server restart
          return null;
        });
    }
    return self.buffers[name];
  };

  HallAnnouncer.prototype.preload = function () {
    var self = this;
    if (!self.audio()) return;
    var common = ["chime.wav", "zh/qing.wav", "zh/hao.wav", "zh/dao.wav", "zh/chuangkou.wav",
                  "zh/banli.wav", "zh/shi.wav", "zh/zaici.wav"];
    for (var d = 0; d < 10; d++) common.push("zh/digit-" + d + ".wav");
    common.forEach(function (name) { self.load(name); });
  };

  // Queue one call: {ticketId, number, window, kind: "call" | "recall"}.
  HallAnnouncer.prototype.announce = function (call) {
    var phrase = phraseFor(call, { english: this.settings.english, chime: this.settings.chime });
    var entry = {
      id: this.nextId++,
      ticketId: call.ticketId,
      number: String(call.number),
      window: Number(call.window),
      kind: call.kind || "call",
      text: phrase.text,
      clips: phrase.clips,
      state: "queued",
      queuedAt: performance.now(),
      startedAt: null,
      endedAt: null,
    };
    this.log.push(entry);
    if (this.log.length > 200) this.log.splice(0, this.log.length - 200);
    this.queue.push(entry);
    while (this.queue.length > MAX_PENDING) this.finish(this.queue.shift(), "skipped");
    this.fire("queued", entry);
    this.playNext();
    return entry;
  };

  HallAnnouncer.prototype.finish = function (entry, state) {
    entry.state = state;
    if (entry.startedAt === null) entry.startedAt = performance.now();
    entry.endedAt = performance.now();
    this.fire("finished", entry);
  };

  HallAnnouncer.prototype.playNext = function () {
    var self = this;
    if (self.current || !self.queue.length) return;
    var entry = self.queue.shift();
    self.current = entry;
    entry.state = "playing";
    entry.startedAt = performance.now();
    self.fire("started", entry);
    self.speak(entry).then(function (state) {
      self.finish(entry, state);
      self.current = null;
      self.playNext();
    });
  };

  // Resolves with how it ended: "done", "muted", "blocked" (no sound allowed yet) or "silent".
  HallAnnouncer.prototype.speak = function (entry) {
    var self = this;
    if (!self.settings.enabled || self.volume() === 0) return Promise.resolve("muted");
    var context = self.audio();
    if (!context) return Promise.resolve("silent");
    var names = entry.clips.filter(function (c) { return c.indexOf(PAUSE) !== 0; });
    return self.unlock()
      .then(function () { return Promise.all(names.map(function (n) { return self.load(n); })); })
      .then(function (loaded) {
        if (context.state !== "running") {
          self.fire("blocked", entry);
          return "blocked";
        }
        var buffers = {};
        names.forEach(function (name, i) { buffers[name] = loaded[i]; });
        var at = context.currentTime + 0.05, last = null;
        entry.clips.forEach(function (clip) {
          if (clip.indexOf(PAUSE) === 0) {
            at += parseFloat(clip.slice(PAUSE.length));
            return;
          }
          var buffer = buffers[clip];
          if (!buffer) return; // a missing clip is skipped, the rest still makes sense
          var source = context.createBufferSource();
          source.buffer = buffer;
          source.connect(self.gain);
          source.start(at);
          at += buffer.duration;
          last = source;
        });
        if (!last) return "silent";
        var seconds = at - context.currentTime;
        return new Promise(function (resolve) {
          var done = false;
          function end() { if (!done) { done = true; resolve("done"); } }
          last.onended = end;
          // If the audio clock stalls (device lost), do not hold the queue forever.
          setTimeout(end, seconds * 1000 + 1500);
        });
      });
  };

  HallAnnouncer.phraseFor = phraseFor;
  global.HallAnnouncer = HallAnnouncer;
})(window);
