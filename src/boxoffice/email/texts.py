"""The words of every mail, in English and Brazilian Portuguese.

Kept here rather than in the pages' catalog: a mail is read outside the
site, so each text is a whole sentence with {placeholders} (str.format).
"""

from __future__ import annotations

from boxoffice.accounts.domain import language_of

LANGUAGES = ("en", "pt-BR")

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "hello": "Hello {name},",
        "signature": "-- boxoffice",
        "order.subject": "Your tickets for {show} (order {order})",
        "order.body": (
            "Thank you for your order {order}.\n\n"
            "{show}\n{when}\n{venue}\n\n"
            "Your tickets:\n{tickets}\n\n"
            "Your tickets are attached as a PDF (show its QR codes at the gate); "
            "the .ics file adds the show to your calendar.\n"
            "They are also in your account: {link}"
        ),
        "order.ticket": "- {section}, {seat} (code {code})",
        "order.no_seat": "general admission",
        "registration.subject": "Welcome to boxoffice",
        "registration.body": (
            "Your boxoffice account for {email} is ready. Log in at {link} "
            "to join waiting rooms and buy tickets."
        ),
        "attempt.subject": "Someone tried to register with your email",
        "attempt.body": (
            "Someone tried to create a boxoffice account with {email}, which "
            "already has an account. If it was you, just log in at {link}. If it "
            "was not you, you can ignore this mail: nothing was changed."
        ),
        "turn.subject": "It's your turn: {show}",
        "turn.body": (
            "The waiting room of {show} has let you in. Choose your tickets now, "
            "before your turn runs out: {link}"
        ),
        "presale.subject": "Your presale code for {show}",
        "presale.body": (
            "You were drawn for the presale of {show}.\n\n"
            "Your code: {code}\n\n"
            "It is yours alone (it works only with your account) and it can be used once.{window}\n"
            "Buy at {link}"
        ),
        "presale.window": "\nThe presale runs from {starts} to {ends}.",
        "pdf.title": "Ticket",
        "pdf.date": "Date",
        "pdf.venue": "Venue",
        "pdf.section": "Section",
        "pdf.seat": "Seat",
        "pdf.holder": "Holder",
        "pdf.order": "Order",
        "pdf.code": "Ticket code",
    },
    "pt-BR": {
        "hello": "Olá, {name},",
        "signature": "-- boxoffice",
        "order.subject": "Seus ingressos para {show} (pedido {order})",
        "order.body": (
            "Obrigado pelo seu pedido {order}.\n\n"
            "{show}\n{when}\n{venue}\n\n"
            "Seus ingressos:\n{tickets}\n\n"
            "Os ingressos estão no PDF anexo (mostre os QR codes na entrada); "
            "o arquivo .ics adiciona o show à sua agenda.\n"
            "Eles também estão na sua conta: {link}"
        ),
        "order.ticket": "- {section}, {seat} (código {code})",
        "order.no_seat": "pista / sem lugar marcado",
        "registration.subject": "Boas-vindas ao boxoffice",
        "registration.body": (
            "Sua conta boxoffice para {email} está pronta. Entre em {link} "
            "para entrar nas filas virtuais e comprar ingressos."
        ),
        "attempt.subject": "Alguém tentou criar uma conta com o seu e-mail",
        "attempt.body": (
            "Alguém tentou criar uma conta boxoffice com {email}, que já tem "
            "uma conta. Se foi você, é só entrar em {link}. Se não foi você, "
            "pode ignorar este e-mail: nada foi alterado."
        ),
        "turn.subject": "Chegou a sua vez: {show}",
        "turn.body": (
            "A fila virtual de {show} liberou a sua entrada. Escolha seus "
            "ingressos agora, antes que a sua vez acabe: {link}"
        ),
        "presale.subject": "Seu código de pré-venda para {show}",
        "presale.body": (
            "Você foi sorteado(a) para a pré-venda de {show}.\n\n"
            "Seu código: {code}\n\n"
            "Ele é só seu (funciona apenas com a sua conta) e pode ser usado uma vez.{window}\n"
            "Compre em {link}"
        ),
        "presale.window": "\nA pré-venda vai de {starts} até {ends}.",
        "pdf.title": "Ingresso",
        "pdf.date": "Data",
        "pdf.venue": "Local",
        "pdf.section": "Setor",
        "pdf.seat": "Lugar",
        "pdf.holder": "Titular",
        "pdf.order": "Pedido",
        "pdf.code": "Código do ingresso",
    },
}


def text(language: str, key: str, **values: object) -> str:
    return TEXTS[language_of(language)][key].format(**values)
