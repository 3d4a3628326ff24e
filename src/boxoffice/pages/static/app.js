// boxoffice pages: a little progressive JavaScript. Every page works without it.
(function () {
  "use strict";
  function every(selector, fn) { document.querySelectorAll(selector).forEach(fn); }

  // Countdowns: data-countdown = an ISO time; shows m:ss (or h:mm:ss) until then.
  every("[data-countdown]", function (el) {
    var end = Date.parse(el.dataset.countdown);
    function tick() {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      el.textContent = (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(s).padStart(2, "0");
      if (left === 0) {
        if (el.dataset.expired) {
          var note = document.querySelector(el.dataset.expired);
          if (note) { note.hidden = false; }
          every("#pay button", function (b) { b.disabled = true; });
        }
        if (el.dataset.done) { el.textContent = el.dataset.done; }
        return;
      }
      setTimeout(tick, 1000);
    }
    tick();
  });

  // Times are printed in the venue's zone; where the fan's own zone differs,
  // add the fan's time beside it.
  var yours = (window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone) || "";
  var lang = document.documentElement.lang || "en";
  var yourLabel = document.body.dataset.yourTime || "your time";
  every("time[data-zone]", function (el) {
    var moment = new Date(el.getAttribute("datetime"));
    if (!yours || isNaN(moment) || el.dataset.zone === yours) { return; }
    var style = { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
    var there = moment.toLocaleString(lang, Object.assign({ timeZone: el.dataset.zone }, style));
    var here = moment.toLocaleString(lang, style);
    if (there === here) { return; }
    var note = document.createElement("span");
    note.className = "yourtime";
    note.textContent = " (" + yourLabel + ": " + here + ")";
    el.after(note);
  });

  // Live availability on the show page.
  every("[data-availability]", function (table) {
    function refresh() {
      fetch(table.dataset.availability, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          data.sections.forEach(function (s) {
            var cell = table.querySelector('[data-section="' + s.section_id + '"]');
            if (cell && cell.textContent !== String(s.available)) { cell.textContent = s.available; }
          });
        })
        .catch(function () {})
        .finally(function () { setTimeout(refresh, 5000); });
    }
    setTimeout(refresh, 5000);
  });

  // The seat map: clicking a free seat toggles its checkbox (and back).
  var map = document.querySelector(".seatmap");
  if (map) {
    var boxes = {};
    every('input[name="seat"]', function (box) { boxes[box.value] = box; });
    function paint(id) {
      var circle = map.querySelector('[data-seat="' + id + '"]');
      if (circle && boxes[id]) { circle.classList.toggle("picked", boxes[id].checked); }
    }
    map.addEventListener("click", function (event) {
      var id = event.target.dataset && event.target.dataset.seat;
      if (!id || !boxes[id] || boxes[id].disabled) { return; }
      boxes[id].checked = !boxes[id].checked;
      paint(id);
    });
    Object.keys(boxes).forEach(function (id) { boxes[id].addEventListener("change", function () { paint(id); }); });
  }

  // The waiting room: poll as often as the server says, move on when admitted.
  var queue = document.getElementById("queue");
  if (queue && queue.dataset.poll) {
    var poll = function () {
      fetch(queue.dataset.poll, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          var wait = 15;
          if (data) {
            if (data.status === "admitted") { window.location.reload(); return; }
            ["position", "ahead"].forEach(function (f) {
              var el = queue.querySelector('[data-field="' + f + '"]');
              if (el && data[f] !== null && data[f] !== undefined) { el.textContent = data[f]; }
            });
            var w = queue.querySelector('[data-field="wait"]');
            if (w && data.estimated_wait_seconds !== null) { w.textContent = Math.ceil(data.estimated_wait_seconds / 60) + " min"; }
            wait = data.poll_after_seconds || 15;
          }
          setTimeout(poll, wait * 1000);
        })
        .catch(function () { setTimeout(poll, 15000); });
    };
    if (!queue.querySelector(".ok")) { setTimeout(poll, 3000); }
  }

  // The organiser's live view: reload its fragment every 5 s.
  var live = document.getElementById("live");
  if (live) {
    setInterval(function () {
      fetch(live.dataset.refresh, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html) { live.innerHTML = html; } })
        .catch(function () {});
    }, 5000);
  }
})();

// After the sale: a ticket's rotating QR (data-live-qr = its URL) is fetched
// again every data-every seconds, so the page always shows the live code.
(function () {
  document.querySelectorAll("img[data-live-qr]").forEach(function (img) {
    var every = (parseInt(img.getAttribute("data-every"), 10) || 10) * 1000;
    setInterval(function () { img.src = img.getAttribute("data-live-qr") + "?t=" + Date.now(); }, every);
  });
})();
