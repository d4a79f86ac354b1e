import { checkHttpsUri, checkUriRules, parseClientMetadata, refusedSchemes } from "@effect-dcr/schema"
import type { UriRulesOptions } from "@effect-dcr/schema"
import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import { readFileSync } from "node:fs"

interface Case {
  readonly name: string
  readonly options?: UriRulesOptions
  readonly metadata: Record<string, unknown>
  readonly refused: { readonly error: string; readonly field: string } | null
}

const { cases } = JSON.parse(
  readFileSync(new URL("./fixtures/uri-rules/cases.json", import.meta.url), "utf8")
) as { readonly cases: ReadonlyArray<Case> }

/** The URI values of a metadata document (for the "never echoes the value" check). */
const uriValues = (metadata: Record<string, unknown>): Array<string> =>
  Object.values(metadata).flatMap((v) => Array.isArray(v) ? v : [v]).filter(
    (v): v is string => typeof v === "string" && v.includes(":")
  )

describe("checkUriRules: the table (fixtures/uri-rules/cases.json)", () => {
  it("has refused cases and allowed counterparts", () => {
    assert.isAtLeast(cases.filter((c) => c.refused !== null).length, 30)
    assert.isAtLeast(cases.filter((c) => c.refused === null).length, 10)
  })

  for (const c of cases) {
    it(c.name, () => {
      // the whole registration pipeline: decode, defaults, cross-member rules, then the URI rules
      const result = parseClientMetadata(JSON.stringify(c.metadata), { uriRules: c.options ?? {} })
      if (c.refused === null) {
        assert.isTrue(Either.isRight(result), JSON.stringify(Either.isLeft(result) ? result.left : undefined))
        return
      }
      assert.isTrue(Either.isLeft(result), "refused")
      const error = (result as Either.Left<{ error: string; error_description?: string }, unknown>).left
      assert.strictEqual(error.error, c.refused.error)
      assert.isTrue(
        error.error_description!.startsWith(`${c.refused.field}`),
        `${error.error_description} names ${c.refused.field}`
      )
      for (const value of uriValues(c.metadata)) {
        assert.notInclude(error.error_description!, value, "the description never echoes the value")
      }
    })
  }
})

describe("checkUriRules", () => {
  it("refuses every listed scheme in every URI member, naming the member only", () => {
    for (const scheme of refusedSchemes) {
      const uri = `${scheme}:payload-${scheme}`
      const redirect = checkUriRules({ redirect_uris: [uri] })
      assert.deepStrictEqual(
        redirect,
        Either.left({
          error: "invalid_redirect_uri",
          error_description: `redirect_uris[0]: must not use the "${scheme}" scheme`
        })
      )
      const logo = checkUriRules({ logo_uri: uri })
      assert.deepStrictEqual(
        logo,
        Either.left({
          error: "invalid_client_metadata",
          error_description: `logo_uri: must not use the "${scheme}" scheme`
        })
      )
    }
  })

  it("the scheme is compared case-insensitively (WHATWG lower-cases it)", () =>
    assert.isTrue(Either.isLeft(checkUriRules({ redirect_uris: ["JavaScript:alert(1)"] }))))

  it("loopback means localhost, *.localhost, 127.0.0.0/8 and [::1], as the WHATWG parser reads the host", () => {
    for (
      const uri of [
        "http://localhost/cb",
        "http://app.localhost:3000/cb",
        "http://127.1.2.3/cb",
        "http://0x7f.1/cb",
        "http://[0:0:0:0:0:0:0:1]/cb"
      ]
    ) {
      assert.isTrue(Either.isRight(checkUriRules({ redirect_uris: [uri] })), uri)
    }
    for (
      const uri of [
        "http://localhost.example.com/cb",
        "http://128.0.0.1/cb",
        "http://[::2]/cb",
        "http://127.0.0.1.nip.io/cb"
      ]
    ) {
      assert.isTrue(Either.isLeft(checkUriRules({ redirect_uris: [uri] })), uri)
    }
  })

  it("returns the metadata itself when nothing is refused", () => {
    const metadata = { redirect_uris: ["https://app.example.com/cb"], logo_uri: "https://app.example.com/l.png" }
    assert.strictEqual(Either.getOrThrow(checkUriRules(metadata)), metadata)
  })
})

describe("checkHttpsUri", () => {
  it("is the rule of the https URI members: the same answer as checkUriRules gives for jwks_uri", () => {
    for (
      const uri of [
        "https://as.example.com/jwks",
        "http://as.example.com/jwks",
        "http://localhost:8080/jwks",
        "http://127.0.0.1/jwks",
        "http://[::1]/jwks",
        "https://user:pw@as.example.com/jwks",
        "javascript:alert(1)",
        "/relative",
        "com.example.app:/cb"
      ]
    ) {
      for (const options of [undefined, { allowLoopbackHttp: false }]) {
        const members = checkUriRules({ jwks_uri: uri }, options)
        const one = checkHttpsUri(uri, options)
        assert.strictEqual(Either.isRight(one), Either.isRight(members), `${uri} ${JSON.stringify(options)}`)
        if (Either.isLeft(one) && Either.isLeft(members)) {
          assert.strictEqual(`jwks_uri: ${one.left}`, members.left.error_description, uri)
          assert.notInclude(one.left, uri, "never quotes the URI")
        }
      }
    }
    assert.deepStrictEqual(checkHttpsUri("https://as.example.com/t"), Either.right("https://as.example.com/t"))
    assert.isTrue(Either.isLeft(checkHttpsUri("http://localhost/t", { allowLoopbackHttp: false })))
  })
})
