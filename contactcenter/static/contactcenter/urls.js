/**
 * The server's URLs by their Django names. The workspace page carries them once, as JSON
 * (contactcenter/page_urls.py reverses each with a `{argument}` place per argument), so no
 * script writes a path by hand and a route that moves on the server moves here with it.
 */
let known = null;

function urls() {
  known ??= JSON.parse(document.getElementById("page-urls").textContent);
  return known;
}

/** The URL named `name`, its places filled from `args` ({activity_id: 12}), with `query` (an
 * object of parameters) after it. A name the page was not given is a mistake: it throws. */
export function url(name, args = {}, query = null) {
  const pattern = urls()[name];
  if (pattern === undefined) throw new Error(`The page has no URL named ${name}.`);
  const path = pattern.replace(/\{(\w+)\}/g, (_, argument) => {
    if (args[argument] === undefined) throw new Error(`The URL ${name} needs its ${argument}.`);
    return encodeURIComponent(String(args[argument]));
  });
  return query ? `${path}?${new URLSearchParams(query)}` : path;
}

/** Whether the page was given a URL of this name: an app's routes are there only when the app
 * is installed. */
export function hasUrl(name) {
  return Object.hasOwn(urls(), name);
}
