import { CompiledQuery, SqliteAdapter, SqliteDialect, SqliteDriver, type DatabaseConnection, type DialectAdapter, type Driver } from 'kysely';

/**
 * SQLite as orghub uses it, safe with several processes on one file:
 * - every transaction is a write transaction that takes the write lock at its start (`BEGIN IMMEDIATE`, waiting
 *   up to `busy_timeout` for another process's writer), so what it reads is what it writes over: no lost update and
 *   no SQLITE_BUSY_SNAPSHOT from upgrading a stale read snapshot to a writer;
 * - migrations run in one such transaction (SQLite's DDL is transactional), so processes started together on an
 *   empty file migrate one after another and the later ones find the work done.
 */
export class OrghubSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    return new ImmediateTransactionDriver(this.config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlAdapter();
  }

  // SqliteDialect keeps its config private; the constructor argument is kept here for the driver.
  private readonly config: ConstructorParameters<typeof SqliteDialect>[0];

  constructor(config: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(config);
    this.config = config;
  }
}

class ImmediateTransactionDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class TransactionalDdlAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}
