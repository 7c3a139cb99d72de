import { ApiProperty } from '@nestjs/swagger';
import { IsMongoId } from 'class-validator';
import { ClientView } from './client.dto';
import { GameView } from './game.dto';

export class PurchaseDto {
  @ApiProperty({ example: '68e808ca5fef310fb7a1f8d0', pattern: '^[0-9a-fA-F]{24}$', description: 'the buying client' })
  @IsMongoId({ message: 'clientId must be a valid ObjectId (24 hex characters)' })
  clientId: string;
}

export class PurchaseResult {
  @ApiProperty({ type: GameView, description: 'the game after the sale (one unit fewer)' })
  game: GameView;
  @ApiProperty({ type: ClientView, description: 'the client after the sale' })
  client: ClientView;
}
