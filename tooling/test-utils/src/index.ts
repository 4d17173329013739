export {
  MongoUriMissingError,
  TEST_UTILS_ERROR_CODES,
  TestDatabaseNameError,
  TestUtilsError,
} from './errors.js';
export { requireMongoUri } from './mongo-uri.js';
export type { CommandRunner, MongoServerKind } from './server-kind.js';
export { getServerKind } from './server-kind.js';
export type { DatabaseOpener, DroppableDatabase } from './test-database.js';
export { createTestDatabase, dropTestDatabase, randomDbName } from './test-database.js';
