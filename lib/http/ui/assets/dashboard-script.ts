/**
 * @module
 * The dashboard's only script, served as a file (`/ui/assets/dashboard.js`; the CSP allows no
 * inline script). Two jobs, both optional: every page works without it.
 * - Live: it follows `/ui/events` (server-sent events) and, on a change, fetches the page
 *   again and swaps its `#content` and `#cluster-facts` in place, without a reload.
 * - Search: a form marked `data-filter` filters as the operator types, the same way, keeping
 *   the address bar in step so a reload or a shared link shows the same view.
 */

export const DASHBOARD_SCRIPT = `"use strict";
(() => {
  const swap = async (url) => {
    const res = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
    if (!res.ok) return false;
    const next = new DOMParser().parseFromString(await res.text(), "text/html");
    for (const id of ["content", "cluster-facts"]) {
      const fresh = next.getElementById(id);
      const current = document.getElementById(id);
      if (fresh && current) current.replaceWith(fresh);
    }
    return true;
  };

  const live = document.getElementById("live");
  const events = document.body.dataset.events;
  if (events && "EventSource" in window) {
    let timer;
    const source = new EventSource(events);
    source.addEventListener("open", () => live && (live.className = "live on"));
    source.addEventListener("error", () => live && (live.className = "live off"));
    source.addEventListener("change", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        if (await swap(location.href) && live) live.dataset.updated = new Date().toISOString();
      }, 150);
    });
  }

  for (const form of document.querySelectorAll("form[data-filter]")) {
    let timer;
    const apply = () => {
      const url = new URL(form.action, location.href);
      for (const [key, value] of new FormData(form)) if (value !== "") url.searchParams.set(key, String(value));
      history.replaceState(null, "", url);
      swap(url.href);
    };
    form.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(apply, 300);
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearTimeout(timer);
      apply();
    });
  }
})();
`;
