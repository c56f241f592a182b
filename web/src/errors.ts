import { ApiError } from './api';
import { h } from './dom';
import { t, type Key } from './i18n';

// The node's error codes that have a sentence of their own in both languages.
const kCodes: Record<string, Key> = {
  BadRequest: 'errBadRequest',
  NotFound: 'errNotFound',
  AccessDenied: 'errAccessDenied',
  TokenExpired: 'errTokenExpired',
  PassportIncomplete: 'errPassportIncomplete',
  InternalError: 'errInternal',
  Unavailable: 'errUnavailable',
  invalid_client: 'badCredentials',
};

// A message a user can act on for any failure of the API, in the UI's language:
// the sentence for the error's code, then its status and code.
export function describeError(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return t('unreachable');
    const key = kCodes[e.code];
    return `${key ? t(key) : t('apiError')} (${e.status} ${e.code})`;
  }
  return `${t('apiError')}: ${String(e)}`;
}

// What the node said, word for word (in English): the detail under the message.
export function errorDetail(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return '';
}

// An alert with the message and, muted, the node's own words.
export function errorPanel(e: unknown, id = 'view-error'): HTMLElement {
  const detail = errorDetail(e);
  return h(
    'div',
    { class: 'error-panel', role: 'alert', id },
    h('p', { class: 'error' }, describeError(e)),
    detail ? h('p', { class: 'muted error-detail' }, detail) : null,
  );
}
