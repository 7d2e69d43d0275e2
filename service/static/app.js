// Moderators' page: plain JS, no build step, no external resources.
"use strict";
const $ = (sel) => document.querySelector(sel);
const LABELS = ["advertises_cashout", "presents_withdrawal_legitimate", "accurate", "neutral"];
const LABEL_ZH = { advertises_cashout: "套现广告", presents_withdrawal_legitimate: "宣称可提现", accurate: "准确", neutral: "中性" };
let state = { result: null, flags: [], current: -1, correcting: false };

const keyInput = $("#api-key");
keyInput.value = localStorage.getItem("medcash-key") || "";
keyInput.addEventListener("change", () => localStorage.setItem("medcash-key", keyInput.value));

function headers() {
  const h = { "Content-Type": "application/json" };
  if (keyInput.value) h["Authorization"] = "Bearer " + keyInput.value;
  return h;
}

function setStatus(msg, isError) {
  const el = $("#status");
  el.textContent = msg;
  el.className = isError ? "error" : "";
}

function esc(s) {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

async function call(path, body) {
  const resp = await fetch(path, { method: "POST", headers: headers(), body: JSON.stringify(body) });
  const data = await resp.json().catch(() => ({ error: { message: "invalid response" } }));
  if (!resp.ok) throw new Error((data.error && data.error.message) || resp.statusText);
  return data;
}

$("#file").addEventListener("change", (ev) => {
  const file = ev.target.files[0];
  if (!file) return;
  const reader = new FileReader();
  reader.onload = () => {
    $("#text").value = reader.result;
    const name = file.name.toLowerCase();
    $("#content-type").value = name.endsWith(".html") || name.endsWith(".htm") ? "html" : name.endsWith(".md") ? "markdown" : "text";
  };
  reader.readAsText(file, "utf-8");
});

$("#audit-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const text = $("#text").value;
  if (!text.trim()) { setStatus("请输入文本", true); return; }
  setStatus("审核中…");
  try {
    const result = await call("/v1/audit", { text, content_type: $("#content-type").value });
    render(result);
    setStatus(`完成：${result.passages.length} 个段落`);
  } catch (err) {
    setStatus("出错：" + err.message, true);
  }
});

function renderArticle(result) {
  const text = result.text;
  let html = "", cursor = 0;
  result.passages.forEach((p, i) => {
    html += esc(text.slice(cursor, p.start));
    let inner = "", c = p.start;
    for (const ev of p.evidence) {
      inner += esc(text.slice(c, ev.start)) + `<u class="evidence" title="权重 ${ev.weight}">${esc(text.slice(ev.start, ev.end))}</u>`;
      c = ev.end;
    }
    inner += esc(text.slice(c, p.end));
    html += `<mark class="${p.label}" data-index="${i}" title="${LABEL_ZH[p.label]} ${p.score.toFixed(2)}">${inner}</mark>`;
    cursor = p.end;
  });
  html += esc(text.slice(cursor));
  $("#article").innerHTML = html;
}

function render(result) {
  state = { result, flags: [], current: -1, correcting: false };
  $("#result").hidden = false;
  $("#summary").innerHTML = `<span class="badge ${result.suggestion}">${result.suggestion}</span>` +
    `结论 <b id="verdict">${result.verdict}</b>（置信度 ${result.confidence.toFixed(2)}）` +
    (result.title ? ` · 标题：${esc(result.title)}` : "");
  $("#scores").innerHTML = LABELS.map((l) =>
    `<div class="bar"><span style="width:11rem">${LABEL_ZH[l]} ${l}</span><span class="fill" style="width:${(result.category_scores[l] * 20).toFixed(1)}rem"></span>${result.category_scores[l].toFixed(2)}</div>`).join("");
  renderArticle(result);
  const flags = $("#flags");
  flags.innerHTML = "";
  result.passages.forEach((p, i) => {
    if (!p.flagged) return;
    state.flags.push(i);
    const div = document.createElement("div");
    div.className = `flag ${p.label}`;
    div.dataset.index = i;
    div.innerHTML = `<div><b>${LABEL_ZH[p.label]}</b> <code>${p.label}</code> ${p.score.toFixed(2)} · 位置 ${p.start}-${p.end}</div>
      <div class="kinds">${p.claim_kinds.map((k) => `<span>${k}</span>`).join("")}</div>
      <div class="cites">${p.citations.map((c) => `<details class="citation"><summary>《${esc(c.law)}》${esc(c.article)} <small>[${c.confidence}]</small> — ${esc(c.explanation)}</summary><div class="statute">${esc(c.text)}</div></details>`).join("")}</div>
      <div class="actions"><button class="agree">同意 (a)</button><button class="disagree">纠正 (d)</button>
      <select class="corrected" hidden>${LABELS.map((l, n) => `<option value="${l}">${n + 1}. ${LABEL_ZH[l]}</option>`).join("")}</select>
      <button class="send-correction" hidden>提交纠正</button><span class="done"></span></div>`;
    div.querySelector(".agree").addEventListener("click", () => sendFeedback(i, "agree"));
    div.querySelector(".disagree").addEventListener("click", () => openCorrection(i));
    div.querySelector(".send-correction").addEventListener("click", () => sendFeedback(i, "disagree"));
    flags.appendChild(div);
  });
  if (state.flags.length) select(0);
}

function flagDiv(i) { return document.querySelector(`.flag[data-index="${i}"]`); }

function select(n) {
  if (!state.flags.length) return;
  state.current = (n + state.flags.length) % state.flags.length;
  state.correcting = false;
  document.querySelectorAll(".current").forEach((el) => el.classList.remove("current"));
  const i = state.flags[state.current];
  flagDiv(i).classList.add("current");
  const mark = document.querySelector(`mark[data-index="${i}"]`);
  mark.classList.add("current");
  mark.scrollIntoView({ block: "nearest" });
}

function openCorrection(i) {
  const div = flagDiv(i);
  div.querySelector(".corrected").hidden = false;
  div.querySelector(".send-correction").hidden = false;
  div.querySelector(".corrected").value = "neutral";
  state.correcting = true;
}

async function sendFeedback(i, decision) {
  const p = state.result.passages[i];
  const div = flagDiv(i);
  const body = { target: "passage", decision, predicted_label: p.label, text: p.text, start: p.start, end: p.end };
  if (decision === "disagree") body.corrected_label = div.querySelector(".corrected").value;
  try {
    const saved = await call("/v1/feedback", body);
    div.querySelector(".done").textContent = `已记录 #${saved.id}`;
    state.correcting = false;
  } catch (err) {
    div.querySelector(".done").textContent = "出错：" + err.message;
  }
}

document.addEventListener("keydown", (ev) => {
  if (ev.ctrlKey && ev.key === "Enter") { $("#audit-form").requestSubmit(); return; }
  if (["TEXTAREA", "INPUT"].includes(document.activeElement.tagName)) return;
  if (!state.flags.length) return;
  const i = state.flags[state.current];
  if (state.correcting && ["1", "2", "3", "4"].includes(ev.key)) {
    flagDiv(i).querySelector(".corrected").value = LABELS[Number(ev.key) - 1];
    sendFeedback(i, "disagree");
  } else if (ev.key === "j") select(state.current + 1);
  else if (ev.key === "k") select(state.current - 1);
  else if (ev.key === "a") { sendFeedback(i, "agree"); select(state.current + 1); }
  else if (ev.key === "d") openCorrection(i);
});
