import { randomBytes } from 'node:crypto';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { UsersService } from './users.service';

interface CreateManagerFlags {
  username: string;
  email: string;
  password?: string;
}

/** `users create-manager`: the first manager comes from here, since registration never grants the role. */
@SubCommand({
  name: 'create-manager',
  description: 'Create an account with the manager role (prints a generated password if none is given)',
})
export class CreateManagerCommand extends CommandRunner {
  constructor(private readonly users: UsersService) {
    super();
  }

  async run(_args: string[], flags: CreateManagerFlags): Promise<void> {
    if (!flags.username || !flags.email) throw new Error('--username and --email are required');
    const password = flags.password ?? randomBytes(12).toString('base64url');
    if (password.length < 8) throw new Error('--password must be at least 8 characters');
    const user = await this.users.create({ username: flags.username, email: flags.email, password, role: 'manager' });
    console.log(`manager created: ${user.username} <${user.email}> id=${String(user._id)}`);
    if (!flags.password) console.log(`generated password (shown once): ${password}`);
  }

  @Option({ flags: '--username <username>', description: 'login name', required: true })
  parseUsername(value: string): string {
    return value;
  }

  @Option({ flags: '--email <email>', description: 'e-mail address', required: true })
  parseEmail(value: string): string {
    return value;
  }

  @Option({ flags: '--password <password>', description: 'password (8+ characters); generated when omitted' })
  parsePassword(value: string): string {
    return value;
  }
}

/** `users promote <username>` / `users demote <username>`: effective on the account's next request. */
@SubCommand({ name: 'promote', arguments: '<username>', description: 'Give an existing account the manager role' })
export class PromoteUserCommand extends CommandRunner {
  constructor(private readonly users: UsersService) {
    super();
  }

  async run([username]: string[]): Promise<void> {
    const user = await this.users.setRole(username, 'manager');
    if (!user) throw new Error(`no user named "${username}"`);
    console.log(`${user.username} is now a manager`);
  }
}

@SubCommand({ name: 'demote', arguments: '<username>', description: 'Take the manager role away from an account' })
export class DemoteUserCommand extends CommandRunner {
  constructor(private readonly users: UsersService) {
    super();
  }

  async run([username]: string[]): Promise<void> {
    const user = await this.users.setRole(username, 'user');
    if (!user) throw new Error(`no user named "${username}"`);
    console.log(`${user.username} is now a regular user (from their next request)`);
  }
}

@SubCommand({ name: 'revoke-tokens', arguments: '<username>', description: 'Invalidate every access token issued to an account' })
export class RevokeTokensCommand extends CommandRunner {
  constructor(private readonly users: UsersService) {
    super();
  }

  async run([username]: string[]): Promise<void> {
    if (!(await this.users.revokeTokens(username))) throw new Error(`no user named "${username}"`);
    console.log(`every token issued to ${username} so far is revoked`);
  }
}

@SubCommand({ name: 'delete', arguments: '<username>', description: 'Delete an account (its tokens stop working at once)' })
export class DeleteUserCommand extends CommandRunner {
  constructor(private readonly users: UsersService) {
    super();
  }

  async run([username]: string[]): Promise<void> {
    if (!(await this.users.remove(username))) throw new Error(`no user named "${username}"`);
    console.log(`${username} is deleted`);
  }
}

@Command({
  name: 'users',
  description: 'Manage accounts and roles',
  subCommands: [CreateManagerCommand, PromoteUserCommand, DemoteUserCommand, RevokeTokensCommand, DeleteUserCommand],
})
export class UsersCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.help();
  }
}
