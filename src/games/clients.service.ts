import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, QueryFilter } from 'mongoose';
import { Page, pageWindow } from '../common/pagination';
import { TwoTierCache } from '../infra/cache/two-tier-cache.service';
import {
  CLIENT_SORT_COLUMNS,
  ClientListQuery,
  ClientView,
  CreateClientDto,
  ReplaceClientDto,
  toClientDocument,
  toClientFields,
  toClientView,
  UpdateClientDto,
} from './dto/client.dto';
import { containsText, sortSpec } from './list-query';
import { Client, ClientRecord } from './schemas/client.schema';
import { CLIENTS_CACHE } from './store-cache';

@Injectable()
export class ClientsService {
  constructor(
    @InjectModel(Client.name) private readonly clients: Model<Client>,
    private readonly cache: TwoTierCache,
  ) {}

  async list(query: ClientListQuery): Promise<Page<ClientView>> {
    const filter: Record<string, unknown> = {};
    if (query.membership !== undefined) filter.membership = query.membership;
    if (query.q) filter.name = containsText(query.q);
    const { page, limit, skip } = pageWindow(query);
    const [items, total] = await Promise.all([
      this.clients
        .find(filter as QueryFilter<Client>)
        .sort(sortSpec(query.sort, CLIENT_SORT_COLUMNS))
        .skip(skip)
        .limit(limit)
        .lean<ClientRecord[]>(),
      this.clients.countDocuments(filter as QueryFilter<Client>),
    ]);
    return { items: items.map(toClientView), total, page, limit };
  }

  async get(id: string): Promise<ClientView> {
    return toClientView(found(await this.clients.findById(id).lean<ClientRecord>(), id));
  }

  /** A duplicate email fails on the unique index; the global filter answers 409 "email already exists". */
  async create(dto: CreateClientDto): Promise<ClientView> {
    const created = await this.clients.create(toClientDocument(dto));
    await this.cache.invalidate(CLIENTS_CACHE, [created.id as string]);
    return toClientView(created.toObject());
  }

  async replace(id: string, dto: ReplaceClientDto): Promise<ClientView> {
    const replaced = await this.clients
      .findOneAndReplace({ _id: id }, toClientDocument(dto), { returnDocument: 'after', runValidators: true })
      .lean<ClientRecord>();
    await this.cache.invalidate(CLIENTS_CACHE, [id]);
    return toClientView(found(replaced, id));
  }

  async update(id: string, dto: UpdateClientDto): Promise<ClientView> {
    const fields = toClientFields(dto);
    if (Object.keys(fields).length === 0) throw new BadRequestException('the body must contain at least one field to change');
    const updated = await this.clients
      .findByIdAndUpdate(id, { $set: fields }, { returnDocument: 'after', runValidators: true })
      .lean<ClientRecord>();
    await this.cache.invalidate(CLIENTS_CACHE, [id]);
    return toClientView(found(updated, id));
  }

  async remove(id: string): Promise<ClientView> {
    const removed = await this.clients.findByIdAndDelete(id).lean<ClientRecord>();
    await this.cache.invalidate(CLIENTS_CACHE, [id]);
    return toClientView(found(removed, id));
  }
}

function found<T>(doc: T | null, id: string): T {
  if (!doc) throw new NotFoundException(`client ${id} not found`);
  return doc;
}
