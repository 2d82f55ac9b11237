/// The playground's one page: two chat columns, each as one persona, fed live by Server-Sent Events. Plain
/// HTML, CSS and a little JavaScript, all from here (no CDN, no fonts, no build step). Texts from the bot arrive as
/// HTML the server escaped (`ChatEntry.html`); everything else is put in with `textContent`.
enum PlaygroundPage {
    static let html = """
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
    <title>PrivateCalls playground</title>
    <style>
    :root { --bg:#e6ebee; --bot:#ffffff; --me:#effdde; --accent:#3390ec; --err:#d93025; }
    * { box-sizing:border-box; }
    body { margin:0; font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; background:#c9d6df; color:#111; }
    header { padding:10px 16px; background:#fff; border-bottom:1px solid #ccd; display:flex; gap:12px; align-items:center; flex-wrap:wrap; }
    header h1 { font-size:17px; margin:0; }
    header .hint { color:#667; font-size:13px; flex:1; }
    header button { background:#fff; border:1px solid #ccd; border-radius:8px; padding:6px 10px; cursor:pointer; font:inherit; }
    #refusals { display:none; background:#fdecea; color:var(--err); border:1px solid var(--err); margin:8px 16px; padding:8px 12px; border-radius:8px; }
    main { display:grid; grid-template-columns:1fr 1fr; gap:12px; padding:12px; height:calc(100vh - 60px); }
    .column { display:flex; flex-direction:column; background:var(--bg); border-radius:12px; overflow:hidden; min-height:0; }
    .bar { display:flex; gap:6px; padding:8px; background:#fff; align-items:center; flex-wrap:wrap; }
    .bar select, .bar button { font:inherit; }
    .log { flex:1; overflow-y:auto; padding:12px; display:flex; flex-direction:column; gap:6px; }
    .msg { max-width:85%; padding:6px 10px; border-radius:12px; background:var(--bot); white-space:pre-wrap; word-wrap:break-word; box-shadow:0 1px 1px rgba(0,0,0,.1); }
    .msg.me { align-self:flex-end; background:var(--me); }
    .msg img { max-width:240px; border-radius:8px; display:block; margin-bottom:4px; }
    .msg blockquote { border-left:3px solid var(--accent); margin:4px 0; padding-left:8px; }
    .msg .spoiler { background:#999; color:transparent; border-radius:3px; }
    .msg .spoiler:hover { color:inherit; background:none; }
    .keys { display:grid; gap:4px; margin-top:6px; }
    .keys .row { display:flex; gap:4px; }
    .keys button, .keys a { flex:1; background:rgba(51,144,236,.12); border:0; border-radius:8px; padding:6px; color:var(--accent); font:inherit; cursor:pointer; text-align:center; text-decoration:none; }
    .keys button.busy { opacity:.5; cursor:progress; }
    .keys a::after { content:" ↗"; }
    .invoice { border:1px solid var(--accent); border-radius:10px; padding:8px; background:#fff; }
    .invoice button { margin-top:6px; width:100%; background:var(--accent); color:#fff; border:0; border-radius:8px; padding:8px; font:inherit; cursor:pointer; }
    .error { color:var(--err); font-size:13px; }
    .note { color:#556; font-size:13px; }
    form.input { display:flex; gap:6px; padding:8px; background:#fff; }
    form.input input[type=text] { flex:1; padding:8px; border:1px solid #ccd; border-radius:8px; font:inherit; }
    form.input button, .bar button { background:var(--accent); color:#fff; border:0; border-radius:8px; padding:6px 10px; cursor:pointer; }
    label.photo { cursor:pointer; padding:6px; }
    label.photo input { display:none; }
    </style></head>
    <body>
    <header><h1>PrivateCalls playground</h1><span class="hint">The real bot, talking to a simulated Telegram. Pick who you are in each column.</span>
    <button type="button" id="reset">↺ Start over</button></header>
    <div id="refusals"></div>
    <main id="columns"></main>
    <script>
    "use strict";
    let personas = [], commands = {};
    const blockedPersonas = new Set();
    const refusalBox = document.getElementById("refusals");
    function post(path, body) {
      return fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
        .then(r => r.json().then(j => { if (!r.ok) throw new Error(j.error || r.statusText); return j; }));
    }
    function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }
    function showRefusals(list) {
      if (!list.length) { refusalBox.style.display = "none"; return; }
      refusalBox.style.display = "block";
      refusalBox.textContent = "Telegram would refuse what the bot did: " + list.map(r => r.method + " → " + r.status + " " + r.error).join(" · ");
      refusalBox.dataset.count = String(list.length);
    }
    function column(index, personaId) {
      const col = el("section", "column"); col.dataset.column = String(index);
      const bar = el("div", "bar");
      const pick = el("select"); pick.name = "persona";
      for (const p of personas) { const o = el("option", null, p.name + " — " + p.role + " (" + p.language + ")"); o.value = String(p.id); pick.append(o); }
      pick.value = String(personaId);
      bar.append(pick);
      for (const [to, label] of [["reminder", "⏩ 15 min before my call"], ["start", "⏩ its start"], ["end", "⏩ its end"]]) {
        const b = el("button", "jump", label); b.type = "button"; b.dataset.jump = to;
        b.onclick = () => post("/playground/jump", { chat: Number(pick.value), to }).then(j => note(j.message, !j.moved)).catch(e => note(e.message, true));
        bar.append(b);
      }
      const block = el("button", "block", "🚫 Block the bot"); block.type = "button"; block.dataset.blocked = "0";
      block.title = "As if this person blocked the bot: Telegram refuses every message the bot sends them";
      function showBlock() { const blocked = blockedPersonas.has(pick.value);
        block.dataset.blocked = blocked ? "1" : "0"; block.textContent = blocked ? "✅ Unblock the bot" : "🚫 Block the bot"; }
      block.onclick = () => { const chat = pick.value, blocked = !blockedPersonas.has(chat);
        post("/playground/block", { chat: Number(chat), blocked }).then(() => {
          if (blocked) blockedPersonas.add(chat); else blockedPersonas.delete(chat); showBlock(); })
          .catch(e => note(e.message, true)); };
      bar.append(block);
      const status = el("span", "note");
      bar.append(status);
      function note(text, failed) { status.className = failed ? "error" : "note"; status.textContent = text; setTimeout(() => { if (status.textContent === text) status.textContent = ""; }, 6000); }
      const log = el("div", "log");
      const form = el("form", "input");
      const input = el("input"); input.type = "text"; input.name = "text"; input.placeholder = "Message or /command"; input.autocomplete = "off";
      const list = el("datalist"); list.id = "commands-" + index; input.setAttribute("list", list.id);
      const photo = el("label", "photo", "📎"); const file = el("input"); file.type = "file"; file.accept = "image/*"; file.name = "photo"; photo.append(file);
      const send = el("button", null, "Send"); send.type = "submit";
      form.append(photo, input, list, send);
      col.append(bar, log, form);
      let source = null;
      function me() { return personas.find(p => String(p.id) === pick.value); }
      function fillCommands() {
        list.textContent = "";
        for (const c of (commands[me().language] || commands.en || [])) { const o = el("option"); o.value = "/" + c.command; o.label = c.description; list.append(o); }
      }
      function render(view) {
        const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
        log.textContent = "";
        for (const m of view.entries) log.append(message(m));
        if (atBottom) log.scrollTop = log.scrollHeight;
        showRefusals(view.refusals);
      }
      function message(m) {
        const box = el("div", m.fromBot ? "msg bot" : "msg me"); box.dataset.messageId = String(m.messageId);
        if (m.photo) { const img = el("img"); img.src = "/playground/file/" + encodeURIComponent(m.photo); img.alt = "photo"; box.append(img); }
        if (m.document) { const a = el("a", "document", "📄 " + m.document.fileName); a.href = "/playground/file/" + encodeURIComponent(m.document.fileId); a.download = m.document.fileName; box.append(a); }
        if (m.html != null) { const t = el("div", "text"); t.innerHTML = m.html; box.append(t); }
        if (m.paid) box.append(el("div", "paid", "✅ Paid " + m.paid));
        if (m.invoice) {
          const inv = el("div", "invoice");
          inv.append(el("b", null, m.invoice.title), el("div", null, m.invoice.description),
                     el("div", null, m.invoice.totalAmount + " " + (m.invoice.currency === "XTR" ? "⭐" : m.invoice.currency)));
          const pay = el("button", "pay", "Pay " + m.invoice.totalAmount + (m.invoice.currency === "XTR" ? " ⭐" : " " + m.invoice.currency));
          pay.type = "button";
          pay.onclick = () => { pay.disabled = true; post("/playground/pay", { chat: Number(pick.value), messageId: m.messageId })
            .then(j => { if (!j.paid) { inv.append(el("div", "error", j.error)); pay.disabled = false; } }).catch(e => note(e.message, true)); };
          inv.append(pay); box.append(inv);
        }
        if (m.buttons.length) {
          const keys = el("div", "keys");
          for (const row of m.buttons) {
            const r = el("div", "row");
            for (const b of row) {
              if (b.url) { const a = el("a", null, b.text); a.href = b.url; a.target = "_blank"; a.rel = "noopener noreferrer"; r.append(a); continue; }
              const btn = el("button", null, b.text); btn.type = "button";
              btn.onclick = () => { btn.classList.add("busy");
                post("/playground/tap", { chat: Number(pick.value), messageId: m.messageId, data: b.data || "" })
                  .then(j => { btn.classList.remove("busy"); if (!j.answered) note("The bot did not answer that button.", true); })
                  .catch(e => { btn.classList.remove("busy"); note(e.message, true); }); };
              r.append(btn);
            }
            keys.append(r);
          }
          box.append(keys);
        }
        return box;
      }
      function connect() {
        if (source) source.close();
        showBlock();
        fillCommands();
        source = new EventSource("/playground/events?chat=" + encodeURIComponent(pick.value));
        source.onmessage = e => render(JSON.parse(e.data));
      }
      pick.onchange = connect;
      form.onsubmit = e => { e.preventDefault(); const text = input.value.trim(); if (!text) return;
        post("/playground/send", { chat: Number(pick.value), text }).then(() => { input.value = ""; }).catch(err => note(err.message, true)); };
      file.onchange = () => { const f = file.files[0]; if (!f) return; const reader = new FileReader();
        reader.onload = () => { const base64 = String(reader.result).split(",")[1];
          post("/playground/photo", { chat: Number(pick.value), base64, contentType: f.type, caption: input.value.trim() || null })
            .then(() => { input.value = ""; file.value = ""; }).catch(err => note(err.message, true)); };
        reader.readAsDataURL(f); };
      connect();
      return col;
    }
    document.getElementById("reset").onclick = () => {
      if (confirm("Erase every booking and chat of the playground and start over with the demo hosts?")) post("/playground/reset", {});
    };
    fetch("/playground/personas").then(r => r.json()).then(j => {
      personas = j.personas; commands = j.commands;
      const columns = document.getElementById("columns");
      columns.append(column(0, personas[0].id), column(1, personas.find(p => p.role === "host").id));
    });
    </script></body></html>
    """
}
