// Flywheel dashboard: number formats, axes and the canvas line chart (no library, no CDN).
// Loaded before dashboard.js, whose `state`, `MARKERS`, `fontSize` and `chartFont` it reads.
"use strict";

// ------------------------------------------------------------------ numbers and axes

function niceStep(span, count) {
  const raw = span / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const unit = raw / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 2.5 ? 2.5 : unit <= 5 ? 5 : 10) * power;
}

function ticks(lo, hi, count) {
  const step = niceStep(hi - lo, count);
  const out = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return out;
}

function formatNumber(v, format) {
  if (format === "percent") return Math.round(v * 100) + "%";
  if (format === "money") return "$" + formatPlain(v);
  return formatPlain(v);
}

function formatPlain(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return (v / 1e6).toFixed(a >= 1e7 ? 0 : 1) + "M";
  if (a >= 1e4) return (v / 1e3).toFixed(0) + "k";
  if (a >= 100 || v === Math.round(v)) return v.toFixed(0);
  if (a >= 1) return v.toFixed(1);
  return v.toFixed(2);
}

// ------------------------------------------------------------------ a line chart

class Chart {
  // series: [{label, colour, dash, width, values: (index) => number|null, markers}]
  constructor(canvas, options) {
    this.canvas = canvas;
    this.o = Object.assign({ format: "plain", yMin: null, yMax: null, zero: true }, options);
  }

  size() {
    const ratio = window.devicePixelRatio || 1;
    const w = this.canvas.clientWidth, h = this.canvas.clientHeight;
    if (this.canvas.width !== Math.round(w * ratio) || this.canvas.height !== Math.round(h * ratio)) {
      this.canvas.width = Math.round(w * ratio);
      this.canvas.height = Math.round(h * ratio);
    }
    const ctx = this.canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return { ctx, w, h };
  }

  range(series, xs, fixedMin, fixedMax, zero) {
    let lo = Infinity, hi = -Infinity;
    for (const s of series) {
      for (const v of s.data) {
        if (v === null || v === undefined || !isFinite(v)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (fixedMin !== null) lo = fixedMin;
    if (fixedMax !== null) hi = fixedMax;
    if (!isFinite(lo) || !isFinite(hi)) { lo = 0; hi = 1; }
    if (zero) { lo = Math.min(lo, 0); hi = Math.max(hi, 0); }
    if (hi - lo < 1e-9) { hi = lo + (Math.abs(lo) || 1); }
    const pad = fixedMax === null ? (hi - lo) * 0.05 : 0;
    return [lo - (fixedMin === null && lo < 0 ? pad : 0), hi + pad];
  }

  draw(xs, series, rightSeries, x0, x1, xLabel, refLines, emptyText, markers) {
    const { ctx, w, h } = this.size();
    ctx.clearRect(0, 0, w, h);
    ctx.font = chartFont();
    const o = this.o;
    const [lo, hi] = this.range(series, xs, o.yMin, o.yMax, o.zero);
    const big = state.projector ? 1.6 : 1;
    const left = 58 * big, right = (rightSeries ? 44 : 14) * big, top = 8 + (markers && markers.length ? 16 * big : 0);
    const bottom = 40 * big;
    const pw = w - left - right, ph = h - top - bottom;
    const X = (x) => left + ((x - x0) / (x1 - x0)) * pw;
    const Y = (y) => top + (1 - (y - lo) / (hi - lo)) * ph;
    // grid and y ticks
    ctx.fillStyle = "#222"; ctx.strokeStyle = "#ddd"; ctx.lineWidth = 1;
    ctx.textAlign = "right"; ctx.textBaseline = "middle";
    for (const t of ticks(lo, hi, 4)) {
      const y = Math.round(Y(t)) + 0.5;
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + pw, y); ctx.stroke();
      ctx.fillText(formatNumber(t, o.format), left - 6, y);
    }
    ctx.textAlign = "center"; ctx.textBaseline = "top";
    for (const t of ticks(x0, x1, Math.max(2, Math.floor(pw / (70 * big))))) {
      if (t !== Math.round(t)) continue;
      const x = Math.round(X(t)) + 0.5;
      ctx.strokeStyle = "#eee";
      ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + ph); ctx.stroke();
      ctx.fillText(String(t), x, top + ph + 4);
    }
    ctx.fillText(xLabel, left + pw / 2, top + ph + 4 + fontSize() * 1.25);
    ctx.strokeStyle = "#666";
    ctx.strokeRect(left + 0.5, top + 0.5, pw, ph);
    for (const ref of refLines || []) {
      ctx.save(); ctx.setLineDash([6, 4]); ctx.strokeStyle = ref.colour; ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.moveTo(left, Y(ref.y)); ctx.lineTo(left + pw, Y(ref.y)); ctx.stroke();
      ctx.restore();
    }
    ctx.save();
    ctx.beginPath(); ctx.rect(left, top, pw, ph); ctx.clip();
    for (const s of series) this.line(ctx, s.xs || xs, s, X, Y);
    if (rightSeries) {
      const [rlo, rhi] = this.range([rightSeries], xs, 0, rightSeries.max, true);
      const RY = (y) => top + (1 - (y - rlo) / (rhi - rlo)) * ph;
      this.line(ctx, xs, rightSeries, X, RY);
      ctx.restore(); ctx.save();
      ctx.fillStyle = rightSeries.colour; ctx.textAlign = "left"; ctx.textBaseline = "middle";
      for (const t of ticks(rlo, rhi, 4)) {
        if (t !== Math.round(t)) continue;
        ctx.fillText(String(t), left + pw + 6, RY(t));
      }
    }
    ctx.restore();
    this.marks(ctx, markers || [], X, top, ph, left, pw);
    if (emptyText) {
      ctx.fillStyle = "#555"; ctx.textAlign = "center"; ctx.textBaseline = "middle";
      ctx.fillText(emptyText, left + pw / 2, top + ph / 2);
    }
    window.flywheelStats.draws += 1;
  }

  // A faint vertical line and a symbol above the plot at each marked event's week.
  marks(ctx, markers, X, top, ph, left, pw) {
    ctx.save();
    ctx.textAlign = "center"; ctx.textBaseline = "bottom";
    ctx.font = `${Math.round(fontSize() * 0.9)}px ${FAMILY}`;
    for (const m of markers) {
      const x = X(m.x), kind = MARKERS[m.kind];
      if (!kind || x < left - 1 || x > left + pw + 1) continue;
      ctx.strokeStyle = kind.colour; ctx.globalAlpha = 0.35; ctx.lineWidth = 1;
      ctx.setLineDash([2, 3]);
      ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + ph); ctx.stroke();
      ctx.globalAlpha = 1; ctx.setLineDash([]);
      ctx.fillStyle = kind.colour;
      ctx.fillText(kind.symbol, x, top - 1);
      window.flywheelStats.markers += 1;
    }
    ctx.restore();
  }

  line(ctx, xs, s, X, Y) {
    ctx.strokeStyle = s.colour; ctx.fillStyle = s.colour;
    ctx.lineWidth = s.width || 2; ctx.globalAlpha = s.alpha || 1;
    ctx.setLineDash(s.dash === "dashed" ? [7, 4] : s.dash === "dotted" ? [2, 3] : []);
    ctx.beginPath();
    let open = false;
    for (let i = 0; i < s.data.length; i++) {
      const v = s.data[i];
      if (v === null || v === undefined || !isFinite(v)) { open = false; continue; }
      const x = X(xs[i]), y = Y(v);
      if (open) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      open = true;
    }
    ctx.stroke();
    if (s.markers) {
      for (let i = 0; i < s.data.length; i++) {
        const v = s.data[i];
        if (v === null || v === undefined) continue;
        ctx.beginPath(); ctx.arc(X(xs[i]), Y(v), 3, 0, 2 * Math.PI); ctx.fill();
      }
    }
    ctx.globalAlpha = 1; ctx.setLineDash([]);
  }
}
