// taimen counter UI: camera capture, live reader events (SSE), the read with progress, and small helpers.
// No framework, no build step. Loaded as an external file (the CSP forbids inline scripts).
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const page = document.body.dataset.page;
  const i18n = {};
  const tpl = document.getElementById("i18n");
  if (tpl) {
    for (const el of tpl.content.querySelectorAll("[data-k]")) i18n[el.dataset.k] = el.textContent;
  }
  const t = (k, vals) => (i18n[k] || k).replace(/\{(\w+)\}/g, (_, n) => (vals && n in vals ? vals[n] : ""));
  const $ = (id) => document.getElementById(id);

  async function post(url, body, contentType) {
    const headers = { "X-CSRF-Token": csrf };
    if (contentType) headers["Content-Type"] = contentType;
    const resp = await fetch(url, { method: "POST", headers, body, credentials: "same-origin" });
    let data = null;
    try { data = await resp.json(); } catch (e) { data = null; }
    return { status: resp.status, data };
  }
  const form = (obj) => new URLSearchParams(obj);

  // --- live reader state (server-sent events) -------------------------------------------------------
  const listeners = {};
  function on(kind, fn) { (listeners[kind] = listeners[kind] || []).push(fn); }
  let readerState = { readers: [], selected: null };
  let cardPresent = false;

  function renderReaders(state) {
    readerState = state;
    const list = $("reader-list");
    if (!list) return;
    list.textContent = "";
    if (!state.readers.length) {
      const s = document.createElement("span");
      s.className = "reader reader-none";
      s.textContent = t("reader_none");
      list.appendChild(s);
    }
    for (const r of state.readers) {
      const s = document.createElement("span");
      s.className = "reader " + (r.card ? "has-card" : "no-card") + (r.name === state.selected ? " selected" : "");
      const name = document.createElement("span");
      name.className = "reader-name";
      name.textContent = r.name;
      const st = document.createElement("span");
      st.className = "reader-state";
      st.textContent = " " + (r.card ? "● " + t("reader_card") : "○ " + t("reader_nocard")) + (r.card && r.label ? "（" + r.label + "）" : "");
      s.append(name, st);
      if (r.name !== state.selected && state.readers.length > 1) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "btn-small js-use-reader";
        b.dataset.reader = r.name;
        b.textContent = t("reader_use");
        s.append(" ", b);
      }
      list.appendChild(s);
    }
    const sel = state.readers.find((r) => r.name === state.selected);
    cardPresent = !!(sel && sel.card);
  }

  document.addEventListener("click", async (ev) => {
    const b = ev.target.closest(".js-use-reader");
    if (!b) return;
    await post("/reader", form({ reader: b.dataset.reader }), "application/x-www-form-urlencoded");
  });

  function connectEvents() {
    if (!window.EventSource) return;
    const es = new EventSource("/events");
    for (const kind of ["readers", "card", "detected", "progress", "read", "finished", "demo"]) {
      es.addEventListener(kind, (e) => {
        const data = JSON.parse(e.data);
        if (kind === "readers") renderReaders(data);
        for (const fn of listeners[kind] || []) fn(data);
      });
    }
    window.addEventListener("pagehide", () => es.close());
  }

  // Another tab or the demo panel pressed 終了: leave no personal data on this screen either.
  // 「終了」 elsewhere: screens that show this customer go back to the start (the records screens do not).
  on("finished", () => { if (!["document", "records", "signin"].includes(page)) window.location.assign("/"); });

  // 記録一覧: one checkbox selects every record of the page for export.
  const selectAll = $("select-all");
  if (selectAll) {
    selectAll.addEventListener("change", () => {
      for (const box of document.querySelectorAll('#records-table input[name="id"]')) box.checked = selectAll.checked;
    });
  }

  // 「終了」 before the 確認記録 was saved: ask once, since finishing erases what was read.
  document.addEventListener("click", (ev) => {
    const b = ev.target.closest(".js-unsaved");
    if (b && !window.confirm(t("record_unsaved_warning"))) ev.preventDefault();
  });

  // The step indicator follows the read overlay (step 4 has no page of its own).
  function setStep(key) {
    document.querySelectorAll(".steps li").forEach((li) => {
      const on = li.dataset.step === key;
      li.classList.toggle("current", on);
      if (on) li.setAttribute("aria-current", "step"); else li.removeAttribute("aria-current");
    });
  }

  // --- 1. document -----------------------------------------------------------------------------------
  if (page === "document") {
    on("detected", (d) => {
      const txt = $("detected-text");
      if (!txt) return;
      if (!d.present) { txt.textContent = t("detected_none"); return; }
      if (!d.documents.length) { txt.textContent = t("detected_unknown"); return; }
      // "Detect automatically" stays selected: the server takes whatever card is on the reader at the read.
      txt.textContent = d.documents.map((k) => t("doc:" + k)).join("、");
    });
  }

  // --- 2. capture ------------------------------------------------------------------------------------
  if (page === "capture") {
    const video = $("camera-video");
    const canvas = $("camera-canvas");
    const preview = $("capture-preview");
    const status = $("capture-status");
    let stream = null;

    const startBtn = $("camera-start");
    const startLabel = startBtn.textContent;
    function stopCamera() {
      if (stream) { for (const tr of stream.getTracks()) tr.stop(); stream = null; }
      video.srcObject = null;
      video.hidden = true;
      $("camera-shoot").hidden = true;
      startBtn.textContent = startLabel;
      startBtn.className = "btn-primary";
    }
    async function send(blob, source) {
      status.textContent = t("capture_working");
      const { status: code, data } = await post("/api/capture?source=" + source, blob, blob.type || "image/jpeg");
      if (code === 200 && data && data.ok) {
        window.location.assign(data.next);
      } else {
        status.textContent = (data && data.error && data.error.message) || t("camera_unavailable");
      }
    }
    startBtn.addEventListener("click", async () => {
      if (stream) { stopCamera(); return; }
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1920 }, height: { ideal: 1080 } }, audio: false });
      } catch (e) {
        status.textContent = t("camera_unavailable");
        return;
      }
      video.srcObject = stream;
      video.hidden = false;
      preview.hidden = true;
      $("camera-shoot").hidden = false;
      $("camera-shoot").focus();
      startBtn.textContent = startBtn.dataset.stop;
      startBtn.className = "btn-secondary";
    });
    $("camera-shoot").addEventListener("click", () => {
      if (!stream || !video.videoWidth) return;
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext("2d").drawImage(video, 0, 0);
      stopCamera();
      canvas.toBlob((blob) => {
        canvas.width = canvas.height = 0; // drop the frame from the canvas
        if (blob) send(blob, "camera");
      }, "image/jpeg", 0.92);
    });
    $("capture-file").addEventListener("change", (ev) => {
      const file = ev.target.files && ev.target.files[0];
      ev.target.value = "";
      if (file) send(file, "upload");
    });
    const sample = $("sample-face");
    if (sample) {
      sample.addEventListener("click", async () => {
        status.textContent = t("capture_working");
        const { status: code, data } = await post("/api/demo/face", "", "application/x-www-form-urlencoded");
        if (code === 200 && data && data.ok) window.location.assign(data.next);
        else status.textContent = (data && data.error && data.error.message) || "";
      });
    }
    window.addEventListener("pagehide", stopCamera);
  }

  // --- 3. confirm and 4. read ------------------------------------------------------------------------
  if (page === "confirm") {
    const readForm = $("read-form");
    const startBtn = $("read-start");
    const triesBox = $("tries");
    const lastTry = $("last-try");
    const lastBox = $("confirm-last-try");
    let triesState = triesBox.dataset.known === "1"
      ? Array.from(triesBox.querySelectorAll("li")).map((li) => li.dataset.state) : null;
    let reading = false;

    function updateButton() {
      const blocked = !triesState || triesState.some((s) => s === "locked" || s === "unknown");
      const last = !!triesState && triesState.includes("last");
      lastTry.hidden = !last;
      if (!last) lastBox.checked = false;
      startBtn.textContent = last ? t("read_start_last") : t("read_start");
      startBtn.disabled = reading || blocked || (last && !lastBox.checked);
    }
    function renderTries(list) {
      triesState = list.map((r) => r.state);
      triesBox.textContent = "";
      const ul = document.createElement("ul");
      ul.className = "tries-list";
      for (const r of list) {
        const li = document.createElement("li");
        li.className = "tries-" + r.state;
        li.dataset.state = r.state;
        const strong = document.createElement("strong");
        strong.textContent = r.state === "unknown" ? t("tries_unknown") : r.state === "none" ? t("rc_tries_none_state")
          : r.state === "locked" ? t("tries_locked") : t("tries_left", { n: r.tries_left });
        li.append(r.secret + ": ", strong);
        ul.appendChild(li);
      }
      triesBox.appendChild(ul);
      for (const [state, key] of [["locked", "tries_locked_msg"], ["unknown", "tries_unknown_msg"], ["none", "rc_tries_none"]]) {
        if (triesState.includes(state)) {
          const p = document.createElement("p");
          p.className = state === "none" ? "notice notice-warn" : "notice notice-bad";
          p.setAttribute("role", "alert");
          p.textContent = (state === "none" ? "⚠ " : "✖ ") + t(key);
          triesBox.appendChild(p);
        }
      }
      updateButton();
    }
    function noCard(message) {
      triesState = null;
      triesBox.textContent = "";
      const p = document.createElement("p");
      p.className = "notice";
      p.textContent = message || t("tries_need_card");
      triesBox.appendChild(p);
      updateButton();
    }
    async function refreshTries() {
      const resp = await fetch("/api/tries", { credentials: "same-origin" });
      const data = await resp.json();
      if (data.ok) renderTries(data.tries);
      else noCard(data.error && data.error.message);
    }
    // The residence card number: letters upper-cased and full-width folded as typed (the server does it again).
    for (const input of readForm.querySelectorAll("input[data-upper]")) {
      input.addEventListener("input", () => {
        const v = input.value.normalize("NFKC").toUpperCase().replace(/[\s-]/g, "");
        if (v !== input.value) input.value = v;
      });
    }
    lastBox.addEventListener("change", updateButton);
    on("card", (d) => {
      if (d.reader !== readerState.selected && readerState.selected) return;
      if (reading) return;
      if (d.present) refreshTries(); else noCard();
      $("read-retry").disabled = !d.present;
    });
    updateButton();

    // Reading: the values go to the server in this one request and are not kept anywhere.
    const overlay = $("reading");
    const bar = $("read-progress");
    const stepText = $("read-step");
    const errBox = $("read-error");
    on("read", (d) => { if (d.state === "started") bar.max = d.expected || 40; });
    on("progress", (d) => {
      bar.max = Math.max(d.expected || 40, d.n + 1);
      bar.value = d.n;
      stepText.textContent = t("exchanges", { n: d.n }) + " — " + d.step;
    });

    function showFieldErrors(fields) {
      for (const input of readForm.querySelectorAll("input[name], select[name]")) {
        if (input.type === "hidden" || input.type === "checkbox") continue;
        const msg = fields[input.name] || "";
        input.setAttribute("aria-invalid", msg ? "true" : "false");
        const e = $("e-" + input.name);
        if (e) e.textContent = msg;
      }
      const first = readForm.querySelector('[aria-invalid="true"]');
      if (first) first.focus();
    }
    // The same checks the server makes before touching the card (it checks again).
    function localErrors() {
      const fields = {};
      for (const input of readForm.querySelectorAll("input[data-pattern]")) {
        const v = input.value.trim();
        if (!v) {
          if (input.required) fields[input.name] = t("field_required");
          continue;
        }
        let re = null;
        // Python's end-of-string \Z is JavaScript's $ here (no multiline flag).
        try { re = new RegExp(input.dataset.pattern.replace(/\\Z$/, "$"), "u"); } catch (e) { re = null; }
        if (re && !re.test(v)) fields[input.name] = t("field_invalid");
      }
      return fields;
    }

    async function doRead() {
      reading = true;
      updateButton();
      errBox.hidden = true;
      bar.value = 0;
      stepText.textContent = "";
      const box = overlay.querySelector(".overlay-box");
      box.classList.remove("failed");
      overlay.hidden = false;
      setStep("read");
      box.setAttribute("tabindex", "-1");
      box.focus();
      const body = new URLSearchParams(new FormData(readForm));
      body.delete("csrf");
      const { status, data } = await post("/api/read", body, "application/x-www-form-urlencoded");
      reading = false;
      if (status === 200 && data && data.ok) {
        readForm.reset(); // the values leave the page before the result is shown
        for (const input of readForm.querySelectorAll("input")) if (input.type !== "hidden") input.value = "";
        window.location.replace(data.next);
        return;
      }
      const err = (data && data.error) || { kind: "unknown", message: t("read_failed") };
      if (err.kind === "input" && err.fields) {
        overlay.hidden = true;
        setStep("confirm");
        showFieldErrors(err.fields);
        updateButton();
        return;
      }
      $("read-error-text").textContent = err.message || "";
      box.classList.add("failed");
      errBox.hidden = false;
      const canRetry = !!(data && data.retry);
      $("read-retry").hidden = !canRetry;
      $("retry-hint").hidden = !canRetry;
      if (data && "card" in data) cardPresent = !!data.card;
      $("read-retry").disabled = canRetry && !cardPresent;
      (canRetry ? $("read-retry") : $("read-close")).focus();
      if (!canRetry) refreshTries().catch(() => noCard());
    }
    readForm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const errors = localErrors();
      showFieldErrors(errors);
      if (Object.keys(errors).length) return;
      if (!startBtn.disabled) doRead();
    });
    $("read-close").addEventListener("click", () => {
      overlay.hidden = true;
      setStep("confirm");
      refreshTries().catch(() => noCard());
      startBtn.focus();
    });
    $("read-retry").addEventListener("click", async () => {
      // A retry first re-reads the remaining tries (no try is spent by that), then reads if allowed.
      await refreshTries().catch(() => noCard());
      if (startBtn.disabled) { overlay.hidden = true; return; }
      doRead();
    });
    document.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape" && !overlay.hidden && !reading) $("read-close").click();
    });
  }

  // --- 5. result: copy the card number and expiry for ISA's 失効情報照会 (typed there by the operator) -------
  document.addEventListener("click", async (ev) => {
    const b = ev.target.closest(".js-copy");
    if (!b) return;
    const src = $(b.dataset.copyFrom);
    if (!src) return;
    const text = src.textContent.trim();
    let ok = false;
    try {
      await navigator.clipboard.writeText(text);
      ok = true;
    } catch (e) {
      // No clipboard permission: select the value so Ctrl+C copies it.
      const range = document.createRange();
      range.selectNodeContents(src);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    }
    if (ok) {
      const label = b.textContent;
      b.textContent = b.dataset.done || label;
      setTimeout(() => { b.textContent = label; }, 1500);
    }
  });

  // --- demo panel ------------------------------------------------------------------------------------
  const panel = $("demo-panel");
  if (panel && $("demo-place")) {
    const select = $("demo-card");
    function showPrinted(rows) {
      const box = $("demo-printed");
      box.textContent = "";
      if (!rows || !rows.length) return;
      const title = document.createElement("strong");
      title.textContent = (panel.dataset.printedLabel || "") + " ";
      box.appendChild(title);
      for (const [label, value] of rows) {
        const kv = document.createElement("span");
        kv.className = "demo-kv";
        const b = document.createElement("b");
        b.textContent = value;
        kv.append(label + " ", b);
        box.appendChild(kv);
      }
    }
    async function place() {
      const { data } = await post("/api/demo/place", form({ card: select.value }), "application/x-www-form-urlencoded");
      if (data && data.ok) showPrinted(page === "capture" || page === "confirm" ? data.printed : []);
    }
    $("demo-place").addEventListener("click", place);
    for (const b of panel.querySelectorAll(".js-demo-group")) {
      // Place the next card of that group (genuine / expired / forged), cycling through the group.
      b.addEventListener("click", () => {
        const group = Array.from(select.querySelectorAll("optgroup")).find((g) => g.dataset.group === b.dataset.group);
        if (!group || !group.children.length) return;
        const opts = Array.from(group.children);
        const i = opts.indexOf(select.selectedOptions[0]);
        select.value = opts[(i + 1) % opts.length].value;
        place();
      });
    }
    $("demo-remove").addEventListener("click", () => post("/api/demo/remove", "", "application/x-www-form-urlencoded"));
    $("demo-put-back").addEventListener("click", () => post("/api/demo/put-back", "", "application/x-www-form-urlencoded"));
    $("demo-pull").addEventListener("change", (ev) =>
      post("/api/demo/pull", form({ on: ev.target.checked ? "1" : "0" }), "application/x-www-form-urlencoded"));
    on("demo", (d) => { $("demo-pull").checked = !!d.pull; });
  }

  connectEvents();
})();
