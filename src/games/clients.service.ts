import { Injectable } from '@nestjs/common';
import type { QueryFilter } from 'mongoose';
import { CachedCrud, containsText } from '../common/kit';
import { CLIENT_SORT_COLUMNS, ClientListQuery, toClientDocument, toClientFields, toClientView } from './dto/client.dto';
import { Client } from './schemas/client.schema';
import { CLIENTS_NS } from './games.cache';

/** A duplicate email fails on the unique index; the global filter answers 409 "email already exists". */
@Injectable()
export class ClientsService extends CachedCrud(Client, {
  namespace: CLIENTS_NS,
  noun: 'client',
  toView: toClientView,
  toDocument: toClientDocument,
  toChanges: toClientFields,
  sortColumns: CLIENT_SORT_COLUMNS,
}) {
  protected filter(query: ClientListQuery): QueryFilter<Client> {
    const filter: Record<string, unknown> = {};
    if (query.membership !== undefined) filter.membership = query.membership;
    if (query.q) filter.name = containsText(query.q);
    return filter as QueryFilter<Client>;
  }
}
