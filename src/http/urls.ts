/** GitHub's legacy global node id: base64 of `0<len(type)>:<type><id>` (`MDQ6VXNlcjE=` is `04:User1`). */
export function nodeId(type: string, id: number): string {
  return Buffer.from(`0${type.length}:${type}${id}`).toString('base64');
}

/**
 * Builds every `*_url` (and `Link`) from ORGHUB_BASE_URL and every `html_url` from ORGHUB_HTML_URL. Without a
 * configured base URL a request is answered with the `/api/v3` prefix it used (`forPrefix`).
 */
export class Urls {
  api = '';
  html = '';
  private explicitHtml: boolean;
  private prefixed: Urls | undefined;

  constructor(apiBase: string, htmlBase?: string) {
    this.explicitHtml = Boolean(htmlBase);
    this.setBase(apiBase, htmlBase);
  }

  /** Called once the listening port is known, when no base URL was configured. */
  setBase(apiBase: string, htmlBase?: string): void {
    this.api = apiBase.replace(/\/+$/, '');
    if (htmlBase || !this.explicitHtml) this.html = (htmlBase ?? this.api.replace(/\/api\/v3$/, '')).replace(/\/+$/, '');
    this.prefixed = undefined;
  }

  /** These URLs under a request's prefix (`''` or `/api/v3`): the API base gains it, `html_url`s stay as they are. */
  forPrefix(prefix: string): Urls {
    if (prefix === '') return this;
    this.prefixed ??= new Urls(this.api + prefix, this.html);
    return this.prefixed;
  }

  avatar(id: number): string {
    return `${this.html}/avatars/u/${id}?v=4`;
  }
}
