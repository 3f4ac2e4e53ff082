// imports.ts — CSV imports of customers and purchases (/api/v1/imports), with upload progress.
import { upload } from './client';

export type ImportKind = 'customers' | 'purchases';
export const importCsv = (kind: ImportKind, file: Blob, onProgress: (percent: number) => void) =>
  upload(`/api/v1/imports/${kind}`, file, 'text/csv; charset=utf-8', onProgress);
