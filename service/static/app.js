// Moderators' page: plain JS, no build step, no external resources.
// Offsets from the API count Unicode code points, so every slice of the text goes through
// Array.from (code points), never String.slice (UTF-16 units, which splits emoji).
"use strict";
const $ = (sel) => document.querySelector(sel);
const LABELS = ["advertises_cashout", "presents_withdrawal_legitimate", "accurate", "neutral"];
const LABEL_ZH = { advertises_cashout: "套现广告", presents_withdrawal_legitimate: "宣称可提现", accurate: "准确说明", neutral: "无关/中性" };
const VERDICTS = ["cashout_ad", "misleading", "accurate", "unrelated"];
const VERDICT_ZH = { cashout_ad: "套现广告", misleading: "误导性内容", accurate: "准确内容", unrelated: "无关内容" };
const SUGGESTION_ZH = { block: "建议拦截", review: "建议人工复核", pass: "建议放行" };
const KIND_ZH = {
  personal_account_cash: "个人账户提现", pooled_fund_cash: "统筹基金套取", fake_transaction_cashout: "虚假交易套现",
  drug_resale: "医保药品倒卖", card_lending: "出借/买卖医保卡", false_exit_route: "虚构提取途径",
  non_medical_use: "非医疗用途", unspecified: "未归类",
};
const CONFIDENCE_ZH = { verified: "已核对", high: "高", medium: "中", low: "低" };
const ERROR_ZH = {
  missing_api_key: "缺少 API 密钥", invalid_api_key: "API 密钥无效", rate_limited: "请求过于频繁，请稍后再试",
  validation_error: "输入不符合要求", empty_text: "文本为空", text_too_long: "文本过长", binary_text: "文本含有二进制字符",
  invalid_unicode: "文本含有无效字符", body_too_large: "内容过大", malformed_json: "请求格式错误", timeout: "审核超时",
  overloaded: "服务繁忙，请稍后再试", model_not_loaded: "模型加载中，请稍后再试", unsupported_media_type: "请求格式错误",
  invalid_input: "输入无法处理", internal_error: "服务器内部错误",
};

let state = { result: null, chars: [], auditId: null, current: -1, flags: [], correcting: false, decisions: {} };

function stored(id, key) {
  const el = $(id);
  el.value = localStorage.getItem(key) || "";
  el.addEventListener("change", () => localStorage.setItem(key, el.value.trim()));
  return el;
}
const keyInput = stored("#api-key", "medcash-key");
const moderatorInput = stored("#moderator", "medcash-moderator");

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
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function pct(x) { return (x * 100).toFixed(1) + "%"; }

class ApiFailure extends Error {}

async function call(path, body) {
  let resp;
  try {
    resp = await fetch(path, { method: "POST", headers: headers(), body: JSON.stringify(body) });
  } catch (err) {
    throw new ApiFailure("无法连接服务器");
  }
  const data = await resp.json().catch(() => null);
  if (!resp.ok) {
    const error = (data && data.error) || {};
    const limit = error.details && error.details.limit;
    // Known codes read in Chinese; an unknown one keeps the server's (English) message.
    const zh = ERROR_ZH[error.code];
    throw new ApiFailure(zh ? zh + (limit ? `（上限 ${limit}）` : "") : `请求失败（HTTP ${resp.status}）${error.message ? "：" + error.message : ""}`);
  }
  if (data === null) throw new ApiFailure("服务器返回了无法解析的内容");
  return { data, requestId: resp.headers.get("X-Request-ID") };
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

function clearResult() {
  state = { result: null, chars: [], auditId: null, current: -1, flags: [], correcting: false, decisions: {} };
  $("#result").hidden = true;
  for (const id of ["#summary", "#page-feedback", "#article", "#detail", "#flags"]) $(id).innerHTML = "";
}

$("#audit-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const text = $("#text").value;
  clearResult();  // a failed audit must not leave the previous verdict on screen
  if (!text.trim()) { setStatus("请输入要审核的文本", true); return; }
  setStatus("审核中…");
  $("#submit").disabled = true;
  try {
    const { data, requestId } = await call("/v1/audit", { text, content_type: $("#content-type").value });
    render(data, requestId);
    setStatus(`审核完成：共 ${data.passages.length} 个段落，标记 ${state.flags.length} 个`);
  } catch (err) {
    setStatus("审核失败：" + err.message, true);
  } finally {
    $("#submit").disabled = false;
  }
});

function slice(a, b) { return state.chars.slice(a, b).join(""); }

function renderArticle(result) {
  let html = "", cursor = 0;
  result.passages.forEach((p, i) => {
    html += esc(slice(cursor, p.start));
    let inner = "", c = p.start;
    for (const ev of p.evidence) {
      inner += esc(slice(c, ev.start)) + `<u class="evidence" title="关键词权重 ${ev.weight.toFixed(2)}">${esc(slice(ev.start, ev.end))}</u>`;
      c = ev.end;
    }
    inner += esc(slice(c, p.end));
    html += `<mark class="${p.label}" data-index="${i}" tabindex="0" title="${LABEL_ZH[p.label]} ${pct(p.score)}">${inner}</mark>`;
    cursor = p.end;
  });
  html += esc(slice(cursor));
  $("#article").innerHTML = html;
  $("#article").querySelectorAll("mark").forEach((m) => m.addEventListener("click", () => selectPassage(Number(m.dataset.index))));
}

// The statute text of a citation: from the result's statutes map (compact citations).
function statuteOf(citation) {
  return (state.result.statutes || {})[citation.provision_id] || null;
}

function citationsHtml(p) {
  if (!p.citations.length) return "";
  return `<div class="cites">${p.citations.map((c) => {
    const s = statuteOf(c);
    const name = s ? `《${esc(s.law)}》${esc(s.article)}` : esc(c.provision_id);
    const body = s ? `<div class="statute">${esc(s.text)}</div><small>核对程度：${esc(CONFIDENCE_ZH[s.confidence] || s.confidence)}</small>` : "";
    return `<details class="citation"><summary>${name} — ${esc(c.reason)}</summary>${body}</details>`;
  }).join("")}</div>`;
}

function scoresHtml(p) {
  return `<div class="scores">${LABELS.map((l) =>
    `<div class="bar"><span class="name">${LABEL_ZH[l]}</span><span class="track"><span class="fill ${l}" data-width="${(p.scores[l] * 100).toFixed(1)}"></span></span><span class="value">${pct(p.scores[l])}</span></div>`).join("")}</div>`;
}

// Inline style attributes are blocked by the page's CSP (style-src 'self'); widths are set from script.
function applyWidths(root) {
  root.querySelectorAll(".fill[data-width]").forEach((el) => { el.style.width = el.dataset.width + "%"; });
}

function feedbackHtml(kind, predicted) {
  const options = (kind === "article" ? VERDICTS : LABELS).filter((l) => l !== predicted);
  const names = kind === "article" ? VERDICT_ZH : LABEL_ZH;
  return `<button class="agree">同意</button><button class="disagree">纠正</button>
    <select class="corrected" hidden>${options.map((l) => `<option value="${l}">${LABELS.indexOf(l) + 1 || ""} ${names[l]}</option>`).join("")}</select>
    <button class="send-correction" hidden>提交纠正</button><span class="done"></span>`;
}

function wireFeedback(root, target) {
  root.querySelector(".agree").addEventListener("click", () => sendFeedback(target, "agree", root));
  root.querySelector(".disagree").addEventListener("click", () => openCorrection(root));
  root.querySelector(".send-correction").addEventListener("click", () => sendFeedback(target, "disagree", root));
  showDecision(root, target);
}

function render(result, requestId) {
  state = { result, chars: Array.from(result.text), auditId: requestId, current: -1, flags: [], correcting: false, decisions: state.decisions };
  $("#result").hidden = false;
  $("#summary").innerHTML = `<span class="badge ${result.suggestion}">${SUGGESTION_ZH[result.suggestion]}</span>` +
    `结论：<b id="verdict" data-verdict="${result.verdict}">${VERDICT_ZH[result.verdict]}</b>（置信度 ${pct(result.confidence)}）` +
    (result.title ? ` · 标题：${esc(result.title)}` : "") +
    (result.claim_kinds.length ? `<div class="kinds">涉及：${result.claim_kinds.map((k) => `<span>${KIND_ZH[k] || esc(k)}</span>`).join("")}</div>` : "");
  const pageFb = $("#page-feedback");
  pageFb.innerHTML = `<span>对整页结论：</span>${feedbackHtml("article", result.verdict)}`;
  wireFeedback(pageFb, "article");
  renderArticle(result);
  const flags = $("#flags");
  result.passages.forEach((p, i) => {
    if (!p.flagged) return;
    state.flags.push(i);
    const div = document.createElement("div");
    div.className = `flag ${p.label}`;
    div.dataset.index = i;
    div.innerHTML = passageHtml(p, i);
    div.addEventListener("click", (ev) => { if (ev.target === div || ev.target.closest(".head")) selectPassage(i); });
    wireFeedback(div.querySelector(".actions"), i);
    applyWidths(div);
    flags.appendChild(div);
  });
  $("#flags-title").hidden = !state.flags.length;
  if (state.flags.length) selectPassage(state.flags[0]);
  else selectPassage(0);
}

function passageHtml(p, i) {
  return `<div class="head"><b>${LABEL_ZH[p.label]}</b> ${pct(p.score)} · 第 ${i + 1} 段（字符 ${p.start}–${p.end}）</div>
    ${p.claim_kinds.length ? `<div class="kinds">${p.claim_kinds.map((k) => `<span>${KIND_ZH[k] || esc(k)}</span>`).join("")}</div>` : ""}
    ${scoresHtml(p)}${citationsHtml(p)}
    <div class="actions" data-index="${i}">${feedbackHtml("passage", p.label)}</div>`;
}

function flagDiv(i) { return document.querySelector(`.flag[data-index="${i}"]`); }

// Any passage can be selected (click in the text, or j/k over the flagged ones): its own scores,
// citations and feedback buttons show in the side panel.
function selectPassage(i) {
  const p = state.result && state.result.passages[i];
  if (!p) return;
  state.current = i;
  state.correcting = false;
  document.querySelectorAll(".current").forEach((el) => el.classList.remove("current"));
  const mark = document.querySelector(`mark[data-index="${i}"]`);
  if (mark) { mark.classList.add("current"); mark.scrollIntoView({ block: "nearest" }); }
  if (flagDiv(i)) flagDiv(i).classList.add("current");
  const detail = $("#detail");
  detail.innerHTML = `<h3>所选段落</h3><blockquote>${esc(p.text)}</blockquote>${passageHtml(p, i)}`;
  wireFeedback(detail.querySelector(".actions"), i);
  applyWidths(detail);
}

function openCorrection(root) {
  root.querySelector(".corrected").hidden = false;
  root.querySelector(".send-correction").hidden = false;
  state.correcting = true;
}

function decisionKey(target) { return `${state.auditId}:${target}`; }

function showDecision(root, target) {
  const d = state.decisions[decisionKey(target)];
  const names = target === "article" ? VERDICT_ZH : LABEL_ZH;
  root.querySelector(".done").textContent = d ? (d.decision === "agree" ? "已记录：同意" : `已记录：纠正为「${names[d.corrected]}」`) + "（可修改）" : "";
}

async function sendFeedback(target, decision, root) {
  const result = state.result;
  const isPage = target === "article";
  const p = isPage ? null : result.passages[target];
  const predicted = isPage ? result.verdict : p.label;
  const body = {
    target: isPage ? "article" : "passage", decision, predicted_label: predicted,
    text: isPage ? state.chars.slice(0, 20000).join("") : p.text, model_version: result.model_version,
  };
  if (!isPage) { body.start = p.start; body.end = p.end; }
  if (state.auditId) body.audit_id = state.auditId;
  if (moderatorInput.value.trim()) body.moderator = moderatorInput.value.trim();
  if ($("#article-id").value.trim()) body.article_id = $("#article-id").value.trim();
  if (decision === "disagree") body.corrected_label = root.querySelector(".corrected").value;
  try {
    await call("/v1/feedback", body);
    state.decisions[decisionKey(target)] = { decision, corrected: body.corrected_label };
    state.correcting = false;
    // Every place showing this target (list and side panel) shows the stored decision.
    document.querySelectorAll(isPage ? "#page-feedback" : `.actions[data-index="${target}"]`).forEach((el) => {
      el.querySelector(".corrected").hidden = true;
      el.querySelector(".send-correction").hidden = true;
      showDecision(el, target);
    });
  } catch (err) {
    root.querySelector(".done").textContent = "反馈失败：" + err.message;
  }
}

function moveFlag(step) {
  if (!state.flags.length) return;
  const at = state.flags.indexOf(state.current);
  const next = at === -1 ? 0 : (at + step + state.flags.length) % state.flags.length;
  selectPassage(state.flags[next]);
}

document.addEventListener("keydown", (ev) => {
  if (ev.ctrlKey && ev.key === "Enter") { $("#audit-form").requestSubmit(); return; }
  if (["TEXTAREA", "INPUT", "SELECT"].includes(document.activeElement.tagName)) return;
  if (!state.result || state.current < 0) return;
  const root = $("#detail .actions");
  if (state.correcting && ["1", "2", "3", "4"].includes(ev.key)) {
    const label = LABELS[Number(ev.key) - 1];
    if (label === state.result.passages[state.current].label) return;
    root.querySelector(".corrected").value = label;
    sendFeedback(state.current, "disagree", root);
  } else if (ev.key === "j") moveFlag(1);
  else if (ev.key === "k") moveFlag(-1);
  else if (ev.key === "a") { sendFeedback(state.current, "agree", root); moveFlag(1); }
  else if (ev.key === "d") openCorrection(root);
});
