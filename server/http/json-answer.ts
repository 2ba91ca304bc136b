/**
 * The JSON answer to a write the customer's page makes many of (a survey's autosaves and
 * submits): serialised and sent with its headers in one write, without the ETag Express
 * works out for res.json (a hash of the body no client revalidates a POST's answer with).
 */
import type { Response } from 'express';

export function sendJsonAnswer(res: Response, body: object): void {
  // Node adds the Content-Length of a body given whole to end().
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}
