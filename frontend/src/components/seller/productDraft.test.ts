import { describe, expect, it } from 'vitest';
import {
  bodyOf,
  checkDraft,
  emptyDraft,
  isImageUrl,
  majorUnits,
  parsePrice,
  rowKey,
  type ProductDraft,
} from './productDraft.ts';

const CATEGORY = '10000000-0000-4000-8000-000000000002';

function draft(overrides: Partial<ProductDraft> = {}): ProductDraft {
  return {
    ...emptyDraft(),
    title: 'Oak Desk',
    price: '12.50',
    categoryId: CATEGORY,
    ...overrides,
  };
}

describe('the seller’s product draft', () => {
  it('when a price is typed in major units, then it is read as minor units of the currency', () => {
    expect(parsePrice('12.50', 'EUR')).toBe(1250);
    expect(parsePrice('12,5', 'EUR')).toBe(1250);
    expect(parsePrice('1 250', 'RUB')).toBe(125000);
    expect(parsePrice('7', 'USD')).toBe(700);
    expect(parsePrice('1500', 'JPY')).toBe(1500);
    for (const bad of ['', 'abc', '12.345', '-3', '1e3', '12.5.0']) {
      expect(parsePrice(bad, 'EUR')).toBeNull();
    }
    expect(parsePrice('12.5', 'JPY')).toBeNull();
  });

  it('when minor units are shown for editing, then they read back the same', () => {
    expect(majorUnits(1250, 'EUR')).toBe('12.50');
    expect(parsePrice(majorUnits(99, 'GBP'), 'GBP')).toBe(99);
    expect(majorUnits(1500, 'JPY')).toBe('1500');
  });

  it('when an image URL is checked, then the contract’s rule applies', () => {
    expect(isImageUrl('https://example.com/a.png')).toBe(true);
    expect(isImageUrl('/demo/lamp.svg')).toBe(true);
    for (const bad of ['javascript:alert(1)', '//evil.test/a.png', '/\\x', 'ftp://x/a', 'a.png']) {
      expect(isImageUrl(bad)).toBe(false);
    }
    expect(isImageUrl('https://example.com/ä.png')).toBe(false);
    expect(isImageUrl(`https://example.com/${'a'.repeat(2048)}`)).toBe(false);
  });

  it('when the draft is filled in, then it has no problems and its body is converted', () => {
    const filled = draft({
      title: '  Oak Desk ',
      images: [
        { key: rowKey(), url: '' },
        { key: rowKey(), url: '/demo/desk.svg' },
      ],
      attributes: [
        { key: rowKey(), name: 'colour', value: ' oak ' },
        { key: rowKey(), name: '', value: '' },
      ],
    });
    expect(checkDraft(filled, true)).toEqual({});
    expect(bodyOf(filled)).toEqual({
      title: 'Oak Desk',
      description: '',
      priceMinor: 1250,
      currency: 'EUR',
      stock: 1,
      categoryId: CATEGORY,
      images: ['/demo/desk.svg'],
      attributes: { colour: 'oak' },
    });
  });

  it('when fields are wrong, then each problem is keyed like the server’s field errors', () => {
    const a = rowKey();
    const b = rowKey();
    const problems = checkDraft(
      draft({
        title: ' ',
        price: '0',
        categoryId: '',
        stock: '',
        images: [{ key: rowKey(), url: 'javascript:x' }],
        attributes: [
          { key: a, name: 'Colour', value: 'red' },
          { key: b, name: 'size', value: '' },
          { key: rowKey(), name: 'size', value: 'M' },
        ],
      }),
      true,
    );
    expect(problems).toMatchObject({
      title: 'required',
      priceMinor: 'priceRange',
      categoryId: 'required',
      stock: 'stock',
      'images.0': 'imageUrl',
      [`attributes.${a}.name`]: 'attrName',
      [`attributes.${b}.value`]: 'attrValue',
    });
    expect(Object.values(problems)).toContain('attrDuplicate');
  });

  it('when a product is edited, then the stock is not the form’s to check', () => {
    expect(checkDraft(draft({ stock: '' }), false)).toEqual({});
  });
});
