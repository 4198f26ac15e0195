"""The app's few lines of JavaScript, as strings the Blocks pass to Gradio: clicks inside the app's HTML,
the page script (back and forward, the character counter, the sidebar on a phone), the answer's address
in the browser's history, and scrolling to a cited passage. Nothing here runs in Python."""

# A click on any control inside the answer's, review's or selection's HTML (a title, a citation, Keep, a
# step of the conversation) is sent to the server with the control's data-* attributes (forms.click_of).
CLICKS_JS = """
element.addEventListener('click', (event) => {
  const control = event.target.closest('[data-rq-action]');
  if (!control || !element.contains(control)) return;
  event.preventDefault();
  trigger('click', Object.assign({}, control.dataset));
});
"""
# Once per page: back and forward show the answer their address names (the page reads it on load);
# the question box counts its characters against the real limit.
PAGE_JS = """
() => {
  window.addEventListener('popstate', () => window.location.reload());
  const count = () => {
    const box = document.querySelector('#rq-question textarea');
    const out = document.getElementById('rq-counter-text');
    if (!box || !out) return;
    const limit = Number(out.dataset.limit);
    const used = box.value.length;
    out.textContent = used.toLocaleString('en-GB') + ' of ' + limit.toLocaleString('en-GB') + ' characters' +
      (used >= limit ? ' (the limit: text beyond it was not kept)' : '');
  };
  document.addEventListener('input', (event) => { if (event.target.closest('#rq-question')) count(); });
  setInterval(count, 1000);
  // On a phone the filters would cover the answer: the sidebar starts closed there (its button opens it).
  const closeOnPhone = (tries) => {
    const sidebar = document.getElementById('rq-sidebar');
    if (!sidebar) { if (tries > 0) setTimeout(() => closeOnPhone(tries - 1), 100); return; }
    if (window.innerWidth < 768 && sidebar.classList.contains('open')) sidebar.querySelector('.toggle-button')?.click();
  };
  closeOnPhone(50);
  // Gradio's multi-select lists drop focus to the page when Tab leaves them; move it on to the control
  // that Tab (or Shift+Tab) would have reached, so a keyboard user does not lose their place.
  const focusable = () => [...document.querySelectorAll(
    'a[href], button:not([disabled]), input:not([disabled]), textarea, select, [tabindex]:not([tabindex="-1"])')]
    .filter((e) => e.offsetParent !== null || e === document.activeElement);
  document.addEventListener('keydown', (event) => {
    const box = event.target.closest && event.target.closest('#rq-places input, #rq-keywords input');
    if (event.key !== 'Tab' || !box) return;
    const order = focusable();
    const at = order.indexOf(box);
    if (at < 0) return;
    const next = order[Math.min(Math.max(at + (event.shiftKey ? -1 : 1), 0), order.length - 1)];
    // The list closes in a later tick; look again until it has.
    for (const wait of [0, 30, 100, 250]) {
      setTimeout(() => { if (document.activeElement === document.body) next?.focus(); }, wait);
    }
  }, true);
}
"""
# After an answer: its address in the browser's history, and the answer's top in view.
PUSH_LINK_JS = """
(query) => {
  const next = query || '';
  if (next !== window.location.search) history.pushState(null, '', next || window.location.pathname);
  const top = document.getElementById('rq-tabs');
  if (top) {
    const box = top.getBoundingClientRect();
    if (box.top < 0 || box.top > window.innerHeight * 0.5) top.scrollIntoView({block: 'start'});
  }
}
"""
SCROLL_TO_CITED_JS = """
() => setTimeout(() => {
  const cited = document.querySelector('#rq-review mark');
  const top = document.getElementById('rq-tabs');
  (cited || top)?.scrollIntoView({block: cited ? 'center' : 'start'});
}, 150)
"""
