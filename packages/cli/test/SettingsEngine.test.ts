import { Engine } from "@effect-dcr/engine"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Equal, Redacted } from "effect"
import { Settings } from "effect-dcr"

// serve's engine rows (Settings.engine) and the library's Engine.config read the same variables: for the same
// text they must agree, except that serve may refuse more (a set-but-empty variable).

const provider = (env: Record<string, string>) => ConfigProvider.fromMap(new Map(Object.entries(env)))
const endpoint = { DCR_REGISTRATION_ENDPOINT: "https://as.example.com/register" }

const texts = [
  "",
  "true",
  "false",
  "maybe",
  "0",
  "1",
  "30",
  "7d",
  "1 hour",
  "a,b",
  " , ",
  "https://as.example.com/m",
  "x"
]

const plain = (value: unknown): unknown =>
  Redacted.isRedacted(value) ? `redacted:${Redacted.value(value)}` : Array.isArray(value) ? value.map(plain) : value

describe("Settings.engine and Engine.config", () => {
  it("accept the same texts with the same values (serve may refuse more)", () => {
    const problems: Array<string> = []
    for (const [key, setting] of Object.entries(Settings.engine) as Array<[string, Settings.Setting<unknown>]>) {
      let compared = 0
      for (const text of [...(setting.example === undefined ? [] : [setting.example]), ...texts]) {
        const env = { ...endpoint, [setting.env]: text }
        const serve = Effect.runSync(Effect.either(Effect.withConfigProvider(setting.config, provider(env))))
        const library = Effect.runSync(Effect.either(Effect.withConfigProvider(Engine.config, provider(env))))
        if (Either.isRight(serve) && Either.isLeft(library)) {
          problems.push(`${setting.env}=${JSON.stringify(text)}: serve accepts, Engine.config refuses`)
        }
        if (Either.isRight(serve) && Either.isRight(library)) {
          compared++
          const a = plain(serve.right)
          const b = plain((library.right as unknown as Record<string, unknown>)[key])
          if (!Equal.equals(JSON.stringify(a), JSON.stringify(b))) {
            problems.push(
              `${setting.env}=${JSON.stringify(text)}: serve ${JSON.stringify(a)}, Engine.config ${JSON.stringify(b)}`
            )
          }
        }
      }
      if (compared === 0) problems.push(`${setting.env}: no text tried is accepted by both; give the row an example`)
    }
    assert.deepStrictEqual(problems, [])
  })
})
