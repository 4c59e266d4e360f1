// One small stylesheet, inlined into every page (no extra request, no build step). Sized for a
// laptop screen; colours pass WCAG AA contrast on white; focus is always visible.
export const STYLES = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f5f6f8}
a{color:#0b57d0}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem}
.skip:focus{left:.5rem;z-index:9}
header.top{display:flex;align-items:center;gap:1.5rem;padding:.5rem 1.25rem;background:#14213d;color:#fff}
header.top a{color:#fff;text-decoration:none;padding:.35rem .6rem;border-radius:4px}
header.top a[aria-current=page]{background:#2b3f6b}
header.top nav ul{display:flex;gap:.25rem;list-style:none;margin:0;padding:0}
.brand{font-weight:700}
.who{margin-left:auto;display:flex;gap:.75rem;align-items:center}
.who small{color:#c9d3e6}
main{max-width:1200px;margin:0 auto;padding:1rem 1.25rem 3rem}
main:focus{outline:none}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #e3e6ea;vertical-align:top}
th{background:#eef1f5;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.card{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:1rem;margin-bottom:1rem}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:1rem}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.8rem;font-weight:600;background:#e5e7eb;color:#1f2937}
.s-running,.s-succeeded,.s-authorized{background:#d1fae5;color:#065f46}
.s-paused,.s-pending_approval,.s-downloading,.s-installing,.s-offered,.s-downloaded{background:#fef3c7;color:#7c4a03}
.s-cancelled,.s-failed,.s-rollback_failed,.s-overdue,.sev-critical{background:#fee2e2;color:#991b1b}
.s-approved,.s-completed{background:#dbeafe;color:#1e40af}
.sev-high{background:#ffedd5;color:#9a3412}.sev-medium{background:#fef9c3;color:#713f12}.sev-low{background:#e0f2fe;color:#075985}
progress{width:8rem;height:.9rem;vertical-align:middle}
.bar{display:flex;height:1.1rem;border-radius:4px;overflow:hidden;background:#e5e7eb;min-width:10rem}
.bar span{display:block;height:100%}
.actions{display:flex;gap:.5rem;flex-wrap:wrap;align-items:end}
.actions form{display:flex;gap:.5rem;align-items:end}
button,.button{font:inherit;padding:.4rem .9rem;border-radius:4px;border:1px solid #0b57d0;background:#0b57d0;color:#fff;cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:#fff;color:#0b57d0}
button.danger{background:#b91c1c;border-color:#b91c1c}
label{display:block;font-weight:600;margin:.6rem 0 .2rem}
input,select,textarea{font:inherit;padding:.35rem .5rem;border:1px solid #8a94a3;border-radius:4px;background:#fff;max-width:100%}
input[type=checkbox]{width:auto}
fieldset{border:1px solid #dde1e6;border-radius:6px;margin:0 0 1rem;padding:.5rem 1rem 1rem;background:#fff}
legend{font-weight:700;padding:0 .3rem}
.hint{color:#4b5563;font-size:.85rem;font-weight:400}
.flash{padding:.6rem .9rem;border-radius:4px}
.flash.ok{background:#d1fae5}.flash.error{background:#fee2e2}
.board{display:grid;grid-template-columns:repeat(auto-fit,minmax(210px,1fr));gap:.75rem}
.board section{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:.5rem .75rem}
.board ol{list-style:none;margin:0;padding:0}
.board li{border-top:1px solid #eef1f5;padding:.4rem 0}
.overdue{color:#991b1b;font-weight:700}
.inline{display:flex;gap:1rem;flex-wrap:wrap}
.inline>div{flex:1 1 12rem}
.live{font-size:.85rem;color:#4b5563}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0}
.field-error{color:#991b1b;font-size:.85rem;font-weight:600}
[aria-invalid=true]{border-color:#b91c1c;border-width:2px}
pre.json{white-space:pre-wrap;overflow-wrap:anywhere;max-width:40rem;font-size:.8rem;margin:.3rem 0}
td.wrap,.wrap{overflow-wrap:anywhere}
code.token{display:block;padding:.5rem;background:#f1f5f9;border:1px solid #cbd5e1;overflow-wrap:anywhere;user-select:all}
h1,td,dd,li,.wrap{overflow-wrap:anywhere}
ol.timeline{list-style:none;margin:0;padding:0 0 0 1rem;border-left:3px solid #dde1e6}
ol.timeline li{margin:0 0 .75rem;padding-left:.5rem}
ol.timeline .reason{color:#1f2937;font-style:italic}
ul.uploads{list-style:none;padding:0}
ul.uploads li{margin:.5rem 0}
ul.uploads progress{width:16rem}
h1,h2,dd,li,.flash{overflow-wrap:anywhere}
td,th{overflow-wrap:break-word}
td.num,.badge,th[scope=rowgroup]{white-space:nowrap}
ul.plain{list-style:none;margin:0;padding:0}
.banner{padding:.5rem .75rem;border-radius:4px;margin:0 0 .75rem}
.scroll{overflow-x:auto}
main:has(.scroll){max-width:1600px}
.scroll table{font-size:.85rem}
caption{text-align:left;font-weight:600;padding:.4rem 0}
a.button.danger{background:#b91c1c;border-color:#b91c1c}
`;
