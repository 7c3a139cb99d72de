import { Injectable } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { ModuleSeeder, SEEDER } from './seeder';

/** Finds every @Seeder(...) provider of the loaded modules. */
@Injectable()
export class SeederRegistry {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  all(): Map<string, ModuleSeeder> {
    const seeders = new Map<string, ModuleSeeder>();
    for (const wrapper of this.discovery.getProviders()) {
      if (!wrapper.metatype || !wrapper.instance) continue;
      const name = this.reflector.get<string | undefined>(SEEDER, wrapper.metatype as object as Function);
      if (name) seeders.set(name, wrapper.instance as ModuleSeeder);
    }
    return seeders;
  }
}
