// error-box: an API failure as the reader sees it — a headline, then the server's detail
// word for word, its code and the failing field. role="alert" so screen readers announce it.
import { ApiError } from "../api";
import { headline } from "../problem-text";

export function ErrorBox({ error }: { error: unknown }) {
  const api = error instanceof ApiError ? error : undefined;
  return (
    <div class="problem" role="alert">
      <strong>{headline(error)}</strong>
      <p class="detail">{api ? api.detail : String(error)}</p>
      {api && (
        <p class="meta">
          code <code>{api.code}</code>
          {api.status ? <> · HTTP {api.status}</> : null}
          {api.field ? <> · field <code>{api.field}</code></> : null}
        </p>
      )}
    </div>
  );
}
