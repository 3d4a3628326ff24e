// boxoffice pages: a little progressive JavaScript. Every page works without it.
// No inline scripts or styles anywhere (the Content-Security-Policy allows none).
(function () {
  "use strict";
  function every(selector, fn) { document.querySelectorAll(selector).forEach(fn); }
  var lang = document.documentElement.lang || "en";
  function two(n) { return String(n).padStart(2, "0"); }

  // Times are printed in the venue's zone; where the fan's own zone differs,
  // add the fan's time beside it.
  var yours = (window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone) || "";
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

  // Countdowns: data-countdown = an ISO time; m:ss, h:mm:ss or "2d 04:10:09" until then.
  // data-expired = a container that turns dead at zero (the checkout): its live
  // part goes, its (single) expired notice shows.
  every("[data-countdown]", function (el) {
    var end = Date.parse(el.dataset.countdown);
    function tick() {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var d = Math.floor(left / 86400), h = Math.floor((left % 86400) / 3600);
      var m = Math.floor((left % 3600) / 60), s = left % 60;
      var text = (h || d ? (d ? d + "d " + two(h) : h) + ":" + two(m) : m) + ":" + two(s);
      el.textContent = text;
      if (left === 0) {
        if (el.dataset.expired) { expire(document.querySelector(el.dataset.expired)); }
        if (el.dataset.done) { el.textContent = el.dataset.done; }
        return;
      }
      setTimeout(tick, 1000);
    }
    tick();
  });

  function expire(box) {
    if (!box) { return; }
    box.classList.add("is-dead");
    every("#pay button", function (b) { b.disabled = true; });
    var live = box.querySelector("#live-checkout");
    if (live) { live.hidden = true; }
    var dead = box.querySelector("#hold-expired");
    if (dead) { dead.hidden = false; }
    every("#pay-error", function (e) { e.hidden = true; });
  }

  // Paying: one click, then a disabled button with a spinner until the answer.
  every("form#pay", function (form) {
    form.addEventListener("submit", function (event) {
      var button = form.querySelector("button[type=submit]");
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      if (button) {
        // Disable after this event: the form is already on its way.
        setTimeout(function () {
          button.disabled = true;
          button.setAttribute("aria-busy", "true");
          button.textContent = "";
          var spin = document.createElement("span");
          spin.className = "spinner";
          spin.setAttribute("aria-hidden", "true");
          button.append(spin, document.createTextNode(form.dataset.busy || "…"));
        }, 0);
      }
    });
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

  // The picker: a running count and total; the seat map toggles the list's checkboxes.
  var pick = document.getElementById("pick");
  if (pick) {
    var price = Number(pick.dataset.price || 0), most = Number(pick.dataset.most || 0);
    var money = new Intl.NumberFormat(lang, { style: "currency", currency: pick.dataset.currency || "BRL" });
    var total = document.getElementById("pick-total");
    var count = pick.querySelector("[data-count-template]");
    var quantity = pick.querySelector("#quantity");
    var boxes = {};
    pick.querySelectorAll('input[name="seat"]').forEach(function (box) { boxes[box.value] = box; });
    var map = pick.querySelector(".seatmap");
    var update = function () {
      var n = quantity ? Number(quantity.value) : Object.keys(boxes).filter(function (id) { return boxes[id].checked; }).length;
      if (total) { total.textContent = money.format(n * price / 100); }
      if (count) { count.textContent = count.dataset.countTemplate.replace("{n}", n).replace("{most}", most); }
      if (map) {
        Object.keys(boxes).forEach(function (id) {
          var circle = map.querySelector('[data-seat="' + id + '"]');
          if (circle) { circle.classList.toggle("picked", boxes[id].checked); }
        });
      }
    };
    if (quantity) { quantity.addEventListener("change", update); }
    Object.keys(boxes).forEach(function (id) { boxes[id].addEventListener("change", update); });
    if (map) { seatMap(map, boxes, update); }
  }

  // Pan (drag, or scroll/swipe natively) and zoom (buttons, ctrl+wheel) on the seat map.
  // At zoom 1 every seat is 32 CSS px across: a phone shows part of the section and the fan pans.
  function seatMap(svg, boxes, update) {
    var viewport = svg.parentElement;
    var zoomBox = viewport.parentElement.querySelector(".zoom");
    var baseW = Number(svg.getAttribute("width")), baseH = Number(svg.getAttribute("height"));
    var scale = 1, fit = Math.min(1, viewport.clientWidth / baseW);
    if (window.matchMedia("(min-width: 860px)").matches) { scale = Math.max(fit, 0.5); }
    function apply(next, cx, cy) {
      var old = scale;
      scale = Math.min(2.5, Math.max(Math.min(fit, 1) * 0.9, next));
      var fx = (viewport.scrollLeft + (cx || viewport.clientWidth / 2)) / old;
      var fy = (viewport.scrollTop + (cy || viewport.clientHeight / 2)) / old;
      svg.setAttribute("width", Math.round(baseW * scale));
      svg.setAttribute("height", Math.round(baseH * scale));
      viewport.scrollLeft = fx * scale - (cx || viewport.clientWidth / 2);
      viewport.scrollTop = fy * scale - (cy || viewport.clientHeight / 2);
    }
    apply(scale);
    if (scale === 1) { viewport.scrollLeft = (baseW - viewport.clientWidth) / 2; }
    if (zoomBox) {
      zoomBox.hidden = false;
      zoomBox.addEventListener("click", function (e) {
        var b = e.target.closest("[data-zoom]");
        if (b) { apply(scale * Number(b.dataset.zoom)); }
      });
    }
    viewport.addEventListener("wheel", function (e) {
      if (!e.ctrlKey) { return; }
      e.preventDefault();
      var r = viewport.getBoundingClientRect();
      apply(scale * (e.deltaY < 0 ? 1.1 : 0.9), e.clientX - r.left, e.clientY - r.top);
    }, { passive: false });
    // Mouse drag pans (touch pans natively by scrolling); a click without a drag picks.
    var drag = null, moved = false;
    viewport.addEventListener("pointerdown", function (e) {
      if (e.pointerType !== "mouse") { return; }
      drag = { x: e.clientX, y: e.clientY, left: viewport.scrollLeft, top: viewport.scrollTop };
      moved = false;
    });
    window.addEventListener("pointermove", function (e) {
      if (!drag) { return; }
      var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 6) { moved = true; viewport.classList.add("dragging"); }
      if (moved) { viewport.scrollLeft = drag.left - dx; viewport.scrollTop = drag.top - dy; }
    });
    window.addEventListener("pointerup", function () { drag = null; viewport.classList.remove("dragging"); });
    svg.addEventListener("click", function (e) {
      if (moved) { moved = false; return; }
      var id = e.target.dataset && e.target.dataset.seat;
      if (!id || !boxes[id] || boxes[id].disabled) { return; }
      boxes[id].checked = !boxes[id].checked;
      update();
    });
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
            if (data.status === "admitted" || (data.position !== null && !queue.querySelector('[data-field="position"]'))) {
              window.location.reload(); return;
            }
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
