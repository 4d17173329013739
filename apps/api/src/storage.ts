// Storage is opened by @craft/runtime, the one opener the CLI uses too; re-exported so existing imports keep working.
export type { OpenStorageOptions, Storage } from '@craft/runtime';
export { memoryStorage, openStorage } from '@craft/runtime';
