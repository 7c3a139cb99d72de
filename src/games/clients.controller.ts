import { Controller } from '@nestjs/common';
import { AdminOnly } from '../auth/access';
import { CachedCrudController } from '../common/kit';
import { ClientsService } from './clients.service';
import { ClientListQuery, ClientPage, ClientView, CreateClientDto, ReplaceClientDto, UpdateClientDto } from './dto/client.dto';
import { ApiTag } from '../infra/http/api-tag';

@ApiTag('clients', 'Games store clients')
@Controller('clients')
export class ClientsController extends CachedCrudController(ClientsService, {
  plural: 'clients',
  types: {
    view: ClientView,
    page: ClientPage,
    query: ClientListQuery,
    create: CreateClientDto,
    replace: ReplaceClientDto,
    update: UpdateClientDto,
  },
  writeAccess: AdminOnly,
  conflict: 'email already exists',
}) {}
