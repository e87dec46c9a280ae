/** The dashboard's one stylesheet (served as /dashboard/assets/style.css; no data in it). */
export const STYLE_CSS = `
:root { --fg:#1d2430; --muted:#6b7482; --bg:#f5f6f8; --card:#fff; --line:#dde1e7; --accent:#9b1b1f;
  --good:#1f7a3d; --good-bg:#e5f4ea; --warn:#8a5a00; --warn-bg:#fdf1d8; --bad:#a3191f; --bad-bg:#fbe4e4; --info:#1d4f91; --info-bg:#e4edf9; }
* { box-sizing: border-box; }
body { margin:0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color:var(--fg); background:var(--bg); }
a { color: var(--info); }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: 0.92em; }
.top { display:flex; flex-wrap:wrap; align-items:center; gap: 0.5rem 1rem; padding: 0.6rem 1.25rem; background: var(--accent); color:#fff; }
.top a { color:#fff; }
.brand { font-weight: 700; text-decoration:none; font-size: 1.05rem; }
.brand span { font-weight: 400; opacity: 0.85; margin-left: 0.35rem; }
.top nav { display:flex; flex-wrap:wrap; gap: 0.25rem 0.8rem; }
.top nav a { text-decoration:none; padding: 0.15rem 0; border-bottom: 2px solid transparent; }
.top nav a[aria-current=page] { border-bottom-color:#fff; font-weight:600; }
.search { display:flex; gap:0.35rem; align-items:center; margin-left:auto; }
.search label { position:absolute; left:-9999px; }
.search input { width: 14rem; padding: 0.3rem 0.5rem; border-radius: 4px; border: 1px solid #fff; }
button, .button { font: inherit; padding: 0.3rem 0.8rem; border-radius: 4px; border: 1px solid var(--line); background: #fff; color: var(--fg); cursor:pointer; text-decoration:none; display:inline-block; }
.top button { border-color:#fff; }
.tools { display:flex; gap: 0.8rem; align-items:center; }
.tools form { margin:0; }
button.link { background:none; border:none; color:#fff; text-decoration:underline; padding:0; }
main { max-width: 1280px; margin: 0 auto; padding: 1rem 1.25rem 2rem; }
h1 { font-size: 1.45rem; margin: 0.4rem 0 1rem; word-break: break-word; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 0.6rem; }
h2 small, h3 small { font-weight: 400; color: var(--muted); font-size: 0.85rem; }
section { margin-bottom: 1rem; }
.muted, .zero .label, .zero .num { color: var(--muted); }
.tiles { display:grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 0.6rem; }
.tiles.key { grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); }
.tile { display:flex; flex-direction:column; gap:0.15rem; padding: 0.7rem 0.85rem; background: var(--card); border:1px solid var(--line); border-left: 5px solid var(--line); border-radius: 6px; text-decoration:none; color: var(--fg); }
.tile .num { font-size: 1.6rem; font-weight: 700; line-height:1.1; }
.tile .num.small { font-size: 1.05rem; }
.tile .label { font-size: 0.85rem; }
.tile .sub { font-size: 0.78rem; color: var(--muted); }
.tile.good { border-left-color: var(--good); } .tile.warn { border-left-color: #d79a00; } .tile.bad { border-left-color: var(--bad); } .tile.info { border-left-color: var(--info); }
.badge { display:inline-block; padding: 0.05rem 0.5rem; border-radius: 999px; font-size: 0.82rem; background: #eceef2; white-space: nowrap; }
.badge.good { background: var(--good-bg); color: var(--good); } .badge.warn { background: var(--warn-bg); color: var(--warn); }
.badge.bad { background: var(--bad-bg); color: var(--bad); } .badge.info { background: var(--info-bg); color: var(--info); }
.attention { padding: 0.6rem 1rem; border-radius: 6px; border: 1px solid var(--line); background: var(--card); }
.attention.has { border-color: #e6b3b3; background: #fff7f7; }
.attention.ok { border-color: #b9dcc4; background: #f6fbf7; }
.attention h2 { margin-top: 0.2rem; }
.attention ul { margin: 0.3rem 0 0.4rem; padding-left: 1.2rem; }
.scroll { overflow-x:auto; background: var(--card); border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align:left; padding: 0.4rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f0f2f5; font-weight: 600; white-space: nowrap; }
tbody tr:last-child td { border-bottom: none; }
td time { white-space: nowrap; }
.counts { font-family: ui-monospace, monospace; font-size: 0.82rem; }
.hash { word-break: break-all; }
dl.grid { display:grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0.4rem 0; }
dl.grid dt { color: var(--muted); }
dl.grid dd { margin: 0; word-break: break-word; }
.summary, .version, .verdict, .login, .sla, .export, .head, .follow { background: var(--card); border:1px solid var(--line); border-radius: 6px; padding: 0.6rem 1rem; }
.summary h2, .verdict h2, .sla h2, .export h2, .head h2, .follow h2 { margin-top: 0.3rem; }
.follow h3 { font-size: 1rem; margin: 0.8rem 0 0.4rem; }
.filter input { padding: 0.25rem 0.4rem; font: inherit; }
.version { margin-bottom: 0.6rem; } .version.current { border-left: 5px solid var(--info); }
.version h3 { font-size: 1rem; margin: 0.2rem 0; }
ul.warnings { margin: 0; padding-left: 1.1rem; color: var(--warn); }
.kv { font-family: ui-monospace, monospace; font-size: 0.8rem; color: var(--muted); }
.verdict.ok { border-left: 6px solid var(--good); } .verdict.broken { border-left: 6px solid var(--bad); background: #fff7f7; }
.verdict .big { font-size: 1.1rem; font-weight: 600; }
.coming { color: var(--muted); font-style: italic; }
.buttons { display:flex; flex-wrap:wrap; gap: 0.5rem; }
.pager { color: var(--muted); }
.filter { display:flex; gap: 0.5rem; align-items:center; margin-bottom: 0.6rem; }
.login { max-width: 28rem; display:flex; flex-direction:column; gap: 0.5rem; }
.login input { padding: 0.4rem 0.5rem; font: inherit; }
.error { color: var(--bad); font-weight: 600; }
.notice { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 0.6rem 1rem; }
footer { max-width: 1280px; margin: 0 auto; padding: 0 1.25rem 1.5rem; color: var(--muted); font-size: 0.82rem; }
@media print { .top form, .tools, .export { display:none; } body { background:#fff; } }
`;
