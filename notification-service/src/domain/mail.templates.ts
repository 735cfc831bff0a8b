import type { DomainEvent, EventData, OrderStatus } from '@marketplace/contracts';
import type { NotificationType } from './notification.model.ts';
import { orderRef } from './notification.templates.ts';

export type Language = 'en' | 'ru';

/** One e-mail, in both parts every client can show. */
export interface Mail {
  subject: string;
  text: string;
  html: string;
}

export interface MailInput {
  type: NotificationType;
  event: DomainEvent;
  /** Whom it is for: their name (to greet them) and language. */
  recipient: { userId: string; name: string; language: Language };
  /** The SPA's public address, for the link into it. */
  appUrl: string;
}

type Status = Exclude<OrderStatus, 'created'>;
type Items = EventData<'order.created'>['items'];

/** Every wording of the e-mails, per language. */
const WORDS = {
  en: {
    hello: (name: string) => `Hello ${name},`,
    bye: 'The Marketplace team',
    open: 'Open it in the marketplace',
    welcomeSubject: 'Welcome to the marketplace',
    welcomeBody: 'Your account is ready. Browse the catalog and place your first order.',
    placedSubject: (ref: string) => `Your order ${ref} is placed`,
    placedBody: (ref: string) => `Thank you for your order ${ref}. Here is what you ordered:`,
    receivedSubject: (ref: string) => `New order ${ref}`,
    receivedBody: (ref: string) => `You have a new order ${ref}. Please confirm it:`,
    total: 'Total',
    statusSubject: (ref: string, status: Status) => `Your order ${ref} was ${STATUS.en[status]}`,
    statusBody: (ref: string, status: Status) => `Your order ${ref} was ${STATUS.en[status]}.`,
    sellerCancelledSubject: (ref: string) => `Order ${ref} was cancelled`,
    sellerCancelledBody: (ref: string) => `Order ${ref} was cancelled; its stock is released.`,
    note: 'Note',
  },
  ru: {
    hello: (name: string) => `Здравствуйте, ${name}!`,
    bye: 'Команда маркетплейса',
    open: 'Открыть в маркетплейсе',
    welcomeSubject: 'Добро пожаловать на маркетплейс',
    welcomeBody: 'Ваш аккаунт готов. Загляните в каталог и оформите первый заказ.',
    placedSubject: (ref: string) => `Заказ ${ref} оформлен`,
    placedBody: (ref: string) => `Спасибо за заказ ${ref}. Вот что вы заказали:`,
    receivedSubject: (ref: string) => `Новый заказ ${ref}`,
    receivedBody: (ref: string) => `У вас новый заказ ${ref}. Пожалуйста, подтвердите его:`,
    total: 'Итого',
    statusSubject: (ref: string, status: Status) => `Заказ ${ref} ${STATUS.ru[status]}`,
    statusBody: (ref: string, status: Status) => `Ваш заказ ${ref} ${STATUS.ru[status]}.`,
    sellerCancelledSubject: (ref: string) => `Заказ ${ref} отменён`,
    sellerCancelledBody: (ref: string) => `Заказ ${ref} отменён; товар снова в наличии.`,
    note: 'Комментарий',
  },
} as const;

const STATUS: Record<Language, Record<Status, string>> = {
  en: {
    confirmed: 'confirmed',
    shipped: 'shipped',
    delivered: 'delivered',
    cancelled: 'cancelled',
  },
  ru: {
    confirmed: 'подтверждён',
    shipped: 'отправлен',
    delivered: 'доставлен',
    cancelled: 'отменён',
  },
};

const LOCALE: Record<Language, string> = { en: 'en', ru: 'ru-RU' };

/** An amount in minor units in the reader's conventions: "€42.50" or "42,50 €". */
export function formatMoneyIn(language: Language, amountMinor: number, currency: string): string {
  try {
    const format = new Intl.NumberFormat(LOCALE[language], { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(amountMinor / 10 ** digits);
  } catch {
    return `${(amountMinor / 100).toFixed(2)} ${currency}`;
  }
}

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** What a mail says, before it is laid out as text and as HTML. */
interface Content {
  subject: string;
  lead: string;
  items?: { lines: { label: string; amount: string }[]; total: string };
  note?: string | null;
  link: string;
}

function content(input: MailInput): Content | null {
  const { event, recipient, appUrl, type } = input;
  const w = WORDS[recipient.language];
  const money = (minor: number, currency: string) =>
    formatMoneyIn(recipient.language, minor, currency);
  const lines = (items: Items, currency: string) =>
    items.map((item) => ({
      label: `${item.quantity} × ${item.title}`,
      amount: money(item.quantity * item.priceMinor, currency),
    }));
  if (event.type === 'user.registered' && type === 'welcome')
    return { subject: w.welcomeSubject, lead: w.welcomeBody, link: `${appUrl}/` };
  if (event.type === 'order.created') {
    const order = event.data;
    const ref = orderRef(order.orderId);
    const items = {
      lines: lines(order.items, order.currency),
      total: `${w.total}: ${money(order.totalMinor, order.currency)}`,
    };
    if (type === 'order.placed')
      return {
        subject: w.placedSubject(ref),
        lead: w.placedBody(ref),
        items,
        link: `${appUrl}/orders/${order.orderId}`,
      };
    if (type === 'order.received')
      return {
        subject: w.receivedSubject(ref),
        lead: w.receivedBody(ref),
        items,
        link: `${appUrl}/seller/orders`,
      };
  }
  if (event.type === 'order.status_changed' && event.data.to !== 'created') {
    const { orderId, to, note, sellerId } = event.data;
    const ref = orderRef(orderId);
    // The seller's copy of a cancellation says what it means for them.
    if (type === 'order.cancelled' && recipient.userId === sellerId)
      return {
        subject: w.sellerCancelledSubject(ref),
        lead: w.sellerCancelledBody(ref),
        note,
        link: `${appUrl}/seller/orders`,
      };
    return {
      subject: w.statusSubject(ref, to),
      lead: w.statusBody(ref, to),
      note,
      link: `${appUrl}/orders/${orderId}`,
    };
  }
  return null;
}

/** The mail for one notification, or null for one that has no mail (a type it does not know). */
export function renderMail(input: MailInput): Mail | null {
  const c = content(input);
  if (!c) return null;
  const w = WORDS[input.recipient.language];
  const text = [
    w.hello(input.recipient.name),
    '',
    c.lead,
    ...(c.items
      ? ['', ...c.items.lines.map((l) => `  ${l.label}  ${l.amount}`), '', c.items.total]
      : []),
    ...(c.note?.trim() ? ['', `${w.note}: ${c.note.trim()}`] : []),
    '',
    `${w.open}: ${c.link}`,
    '',
    '-- ',
    w.bye,
  ].join('\n');
  const rows = c.items
    ? `<table cellpadding="4" style="border-collapse:collapse">${c.items.lines
        .map(
          (l) =>
            `<tr><td>${escapeHtml(l.label)}</td><td style="text-align:right">${escapeHtml(l.amount)}</td></tr>`,
        )
        .join(
          '',
        )}<tr><td colspan="2"><strong>${escapeHtml(c.items.total)}</strong></td></tr></table>`
    : '';
  const html = [
    `<!doctype html><html lang="${input.recipient.language}"><body style="font-family:sans-serif">`,
    `<p>${escapeHtml(w.hello(input.recipient.name))}</p>`,
    `<p>${escapeHtml(c.lead)}</p>`,
    rows,
    c.note?.trim() ? `<p>${escapeHtml(w.note)}: ${escapeHtml(c.note.trim())}</p>` : '',
    `<p><a href="${escapeHtml(c.link)}">${escapeHtml(w.open)}</a></p>`,
    `<p style="color:#666">${escapeHtml(w.bye)}</p>`,
    '</body></html>',
  ].join('');
  return { subject: c.subject, text, html };
}
