/** GitHub's legacy global node id: base64 of `0<len(type)>:<type><id>` (`MDQ6VXNlcjE=` is `04:User1`). */
export function nodeId(type: string, id: number): string {
  return Buffer.from(`0${type.length}:${type}${id}`).toString('base64');
}

/** Builds every `*_url` from ORGHUB_BASE_URL and every `html_url` from ORGHUB_HTML_URL. */
export class Urls {
  api = '';
  html = '';
  private explicitHtml: boolean;

  constructor(apiBase: string, htmlBase?: string) {
    this.explicitHtml = Boolean(htmlBase);
    this.setBase(apiBase, htmlBase);
  }

  /** Called once the listening port is known, when no base URL was configured. */
  setBase(apiBase: string, htmlBase?: string): void {
    this.api = apiBase.replace(/\/+$/, '');
    if (htmlBase || !this.explicitHtml) this.html = (htmlBase ?? this.api.replace(/\/api\/v3$/, '')).replace(/\/+$/, '');
  }

  /** The origin for Link headers, with the `/api/v3` prefix the request itself used. */
  linkBase(requestPrefix: string): string {
    return this.api.replace(/\/api\/v3$/, '') + requestPrefix;
  }

  avatar(id: number): string {
    return `${this.html}/avatars/u/${id}?v=4`;
  }
}
