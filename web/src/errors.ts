import { ApiError } from './api';
import { t } from './i18n';

// A message a user can act on for any failure of the API.
export function describeError(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return `${t('unreachable')} (${e.message})`;
    return `${t('apiError')}: ${e.status} ${e.code}: ${e.message}`;
  }
  return `${t('apiError')}: ${String(e)}`;
}
