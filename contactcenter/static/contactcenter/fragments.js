/**
 * Server-rendered fragments, loaded from scripts the one way the workspace loads them: with
 * htmx, which swaps an answer only into the target it is given and swaps no error (4xx, 5xx),
 * so a failed request leaves everything as it was.
 *
 * The target is also the request's source. htmx lets each source have one request at a time and
 * queues the next, keeping only the last; with the page's body as every script's source (htmx's
 * default), a module's page, a widget's refresh and an activity's screen would cancel each other.
 */

/** Load `url` into `target` (`swap`: how, as hx-swap says). Resolves once any swap is done, with
 * the answer's `status` and whether it was a success (`ok`, swapped in); status 0: no answer
 * came (network); null: not sent, because `target` is still loading (htmx sends it after). */
export async function loadFragment(url, target, { swap = "innerHTML" } = {}) {
  let status = null;
  // Requests of elements inside the target (a widget's buttons) bubble up to it: not this one.
  const answered = (event) => {
    if (event.target === target) status = event.detail.xhr.status;
  };
  target.addEventListener("htmx:afterRequest", answered);
  try {
    await window.htmx.ajax("GET", url, { source: target, target, swap });
  } catch {
    // No answer (network, timeout): nothing was swapped; the status says so.
  } finally {
    target.removeEventListener("htmx:afterRequest", answered);
  }
  return { status, ok: status !== null && status >= 200 && status < 300 };
}
