/**
 * The REST API as the workspace calls it: JSON in and out, the CSRF token of the session, and
 * refusals thrown as ApiError with the server's sentence (`detail`) and `code`.
 */
export class ApiError extends Error {
  constructor(detail, code, status) {
    super(detail);
    this.code = code;
    this.status = status;
  }
}

function csrfToken() {
  return document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/)?.[1] ?? "";
}

/** Call a URL of the API (built by cc/urls.js from its name). `body` may be an object (sent as
 * JSON) or FormData (multipart). */
export async function api(method, url, body = undefined) {
  const headers = { Accept: "application/json", "X-CSRFToken": csrfToken() };
  let payload = body;
  if (body !== undefined && !(body instanceof FormData)) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body: payload, credentials: "same-origin" });
  } catch {
    throw new ApiError("The server cannot be reached; try again in a moment.", "network", 0);
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(errorText(data, response.status), data.code ?? "error", response.status);
  return data;
}

function errorText(data, status) {
  const detail = data.detail;
  if (typeof detail === "string") return detail;
  if (detail && typeof detail === "object") return Object.values(detail).flat().join(" ");
  return `The server answered ${status}.`;
}
