import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, QueryFilter } from 'mongoose';
import { CachedCrudService, containsText } from '../common/kit';
import { TwoTierCache } from '../infra/cache/two-tier-cache.service';
import {
  CLIENT_SORT_COLUMNS,
  ClientListQuery,
  ClientView,
  CreateClientDto,
  toClientDocument,
  toClientFields,
  toClientView,
  UpdateClientDto,
} from './dto/client.dto';
import { Client } from './schemas/client.schema';
import { CLIENTS_NS } from './store-cache';

/** A duplicate email fails on the unique index; the global filter answers 409 "email already exists". */
@Injectable()
export class ClientsService extends CachedCrudService<Client, ClientView, ClientListQuery, CreateClientDto, UpdateClientDto> {
  constructor(@InjectModel(Client.name) clients: Model<Client>, cache: TwoTierCache) {
    super(clients, cache, {
      namespace: CLIENTS_NS,
      noun: 'client',
      toView: toClientView,
      toDocument: (dto) => toClientDocument(dto),
      toChanges: toClientFields,
      sortColumns: CLIENT_SORT_COLUMNS,
    });
  }

  protected filter(query: ClientListQuery): QueryFilter<Client> {
    const filter: Record<string, unknown> = {};
    if (query.membership !== undefined) filter.membership = query.membership;
    if (query.q) filter.name = containsText(query.q);
    return filter as QueryFilter<Client>;
  }
}
