"""Phrase banks of the demo helpdesk: what its customers write, in English and Russian.

Every bank maps a language code (``"en"``, ``"ru"``) to templates. Placeholders in braces are
filled per row by :mod:`data_connectors.demo`: ``{order}`` order number, ``{product}``,
``{eur}`` / ``{rub}`` amounts, ``{days}`` a whole number 5–20 (so that Russian "дней" always
agrees), ``{minutes}`` 5–20, ``{card}`` last card digits, ``{version}`` app version,
``{phone}`` and ``{email}`` (synthetic contact details, in comments only).

Each contact theme has its own vocabulary ("charged twice" / "дважды списали", "crashes" /
"вылетает") so that text mining can find the themes again.
"""

from __future__ import annotations

Bank = dict[str, tuple[str, ...]]

PRODUCTS: tuple[str, ...] = (
    "Router X2",
    "SmartHub Mini",
    "FitBand 3",
    "AirBuds Pro",
    "RoboClean V5",
    "SmartKettle K1",
    "HomeCam 360",
    "Lumi e-Reader",
)

#: First and last names for synthetic e-mail addresses in comments, per language.
EMAIL_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (
        ("john", "emma", "oliver", "sophie", "lukas", "anna", "piotr", "kasia", "daan", "mia"),
        ("smith", "brown", "mueller", "nowak", "jansen", "taylor", "schmidt", "kowalski"),
    ),
    "ru": (
        ("ivan", "olga", "sergey", "anna", "dmitry", "elena", "aidar", "maria", "pavel"),
        ("petrov", "ivanova", "smirnov", "kuznetsova", "sokolov", "nurlanov", "popova"),
    ),
}

#: Ticket subject templates per theme key.
SUBJECTS: dict[str, Bank] = {
    "double_charge": {
        "en": (
            "Charged twice for order {order}",
            "Double payment on my card",
            "Duplicate charge of €{eur}",
        ),
        "ru": (
            "Двойное списание по заказу {order}",
            "Деньги списали дважды",
            "Повторное списание {rub} ₽",
        ),
    },
    "refund": {
        "en": ("Refund for order {order}", "Where is my refund?", "Refund request – {product}"),
        "ru": (
            "Возврат денег по заказу {order}",
            "Когда вернут деньги?",
            "Заявка на возврат — {product}",
        ),
    },
    "invoice": {
        "en": (
            "Invoice for order {order}",
            "Need a VAT invoice",
            "Wrong company details on the invoice",
        ),
        "ru": (
            "Счёт по заказу {order}",
            "Нужны закрывающие документы",
            "Ошибка в реквизитах в счёте",
        ),
    },
    "subscription": {
        "en": ("Change my plan", "Cancel auto-renewal", "Question about my subscription"),
        "ru": ("Смена тарифа", "Отключить автопродление", "Вопрос по подписке"),
    },
    "payment_failed": {
        "en": ("Payment declined", "Cannot pay for order {order}", "Card payment error"),
        "ru": ("Не проходит оплата", "Не могу оплатить заказ {order}", "Ошибка оплаты картой"),
    },
    "delivery_delay": {
        "en": ("Order {order} is late", "Delivery delayed again", "Where is my order?"),
        "ru": ("Заказ {order} задерживается", "Снова задержка доставки", "Где мой заказ?"),
    },
    "tracking": {
        "en": (
            "Tracking number for order {order}",
            "Delivery status",
            "When will order {order} arrive?",
        ),
        "ru": ("Трек-номер заказа {order}", "Статус доставки", "Когда привезут заказ {order}?"),
    },
    "damaged_item": {
        "en": ("Damaged item in order {order}", "{product} arrived broken", "Parcel damaged"),
        "ru": (
            "Повреждённый товар в заказе {order}",
            "{product} пришёл сломанным",
            "Повреждена посылка",
        ),
    },
    "address_change": {
        "en": ("Change delivery address", "New address for order {order}", "Reschedule delivery"),
        "ru": ("Изменить адрес доставки", "Новый адрес для заказа {order}", "Перенести доставку"),
    },
    "missed_courier": {
        "en": ("Courier did not show up", "Missed delivery slot", "Courier did not call"),
        "ru": ("Курьер не приехал", "Сорван интервал доставки", "Курьер не позвонил"),
    },
    "device_setup": {
        "en": (
            "Help setting up {product}",
            "{product} setup question",
            "How do I connect {product}?",
        ),
        "ru": (
            "Помогите настроить {product}",
            "Вопрос по настройке {product}",
            "Как подключить {product}?",
        ),
    },
    "connectivity": {
        "en": (
            "{product} keeps disconnecting",
            "Connection drops",
            "No internet through {product}",
        ),
        "ru": (
            "{product} постоянно отключается",
            "Пропадает соединение",
            "Нет интернета через {product}",
        ),
    },
    "outage": {
        "en": ("Service is down", "Nothing works since this morning", "Outage?"),
        "ru": ("Сервис не работает", "С утра ничего не работает", "Сбой сервиса?"),
    },
    "account_access": {
        "en": ("Cannot log in to my account", "Password reset not working", "Account locked"),
        "ru": (
            "Не могу войти в личный кабинет",
            "Не работает восстановление пароля",
            "Аккаунт заблокирован",
        ),
    },
    "upgrade": {
        "en": ("Upgrade to a bigger plan", "Adding more devices", "Interested in {product}"),
        "ru": ("Переход на расширенный тариф", "Добавить устройства", "Интересует {product}"),
    },
    "pricing": {
        "en": ("Question about prices", "Price of {product}", "Why did the price go up?"),
        "ru": ("Вопрос по ценам", "Цена {product}", "Почему выросла цена?"),
    },
    "promo_code": {
        "en": ("Promo code not working", "Discount not applied", "Promo code for order {order}"),
        "ru": ("Не работает промокод", "Не применилась скидка", "Промокод для заказа {order}"),
    },
    "app_crash": {
        "en": (
            "App crashes on start",
            "App keeps crashing after the update",
            "Crash in version {version}",
        ),
        "ru": (
            "Приложение вылетает при запуске",
            "После обновления приложение падает",
            "Вылет в версии {version}",
        ),
    },
    "app_login": {
        "en": ("Cannot sign in to the app", "The app logs me out", "Login problem in the app"),
        "ru": (
            "Не могу войти в приложение",
            "Приложение разлогинивает",
            "Проблема со входом в приложении",
        ),
    },
    "app_feature": {
        "en": ("Feature request", "Suggestion for the app", "Dark mode?"),
        "ru": ("Пожелание по приложению", "Предложение", "Тёмная тема?"),
    },
    "notifications": {
        "en": ("Too many notifications", "No push notifications", "Notification settings"),
        "ru": (
            "Слишком много уведомлений",
            "Не приходят push-уведомления",
            "Настройки уведомлений",
        ),
    },
}

#: Body templates of the first customer message per theme key.
TEXTS: dict[str, Bank] = {
    "double_charge": {
        "en": (
            (
                "I was charged twice for order {order}: two payments of €{eur} went through on the "
                "same day. Please refund the duplicate charge."
            ),
            (
                "My card ending {card} shows a double charge of €{eur} for my subscription this "
                "month. I only authorised one payment."
            ),
            (
                "Your system took the payment for {product} twice. I need the second charge "
                "reversed as soon as possible."
            ),
        ),
        "ru": (
            (
                "С карты дважды списали {rub} ₽ за заказ {order}. Верните, пожалуйста, лишнее "
                "списание."
            ),
            (
                "За подписку в этом месяце деньги списали два раза, карта *{card}. Я подтверждал "
                "только один платёж."
            ),
            "Оплата за {product} прошла дважды. Прошу вернуть второе списание как можно скорее.",
        ),
    },
    "refund": {
        "en": (
            (
                "I returned {product} {days} days ago and still have not received the refund of "
                "€{eur}."
            ),
            (
                "Please refund order {order}. The item was returned and the courier confirmed "
                "the pickup."
            ),
            "How long does a refund take? I cancelled order {order} and the money is not back yet.",
        ),
        "ru": (
            "Я вернул {product} {days} дней назад, но {rub} ₽ так и не вернулись на карту.",
            (
                "Оформите, пожалуйста, возврат по заказу {order}. Товар я отправил обратно, курьер "
                "забрал."
            ),
            "Сколько идёт возврат денег? Я отменил заказ {order}, а деньги до сих пор не пришли.",
        ),
    },
    "invoice": {
        "en": (
            "Could you send me an invoice for order {order}? I need it for our accounting.",
            "The invoice for {product} has the wrong company name. Please reissue it.",
            "Where can I download the monthly invoices for our account?",
        ),
        "ru": (
            "Пришлите, пожалуйста, счёт по заказу {order}, он нужен бухгалтерии.",
            "В счёте за {product} указаны неверные реквизиты компании. Переоформите, пожалуйста.",
            "Где в личном кабинете скачать счета и акты за месяц?",
        ),
    },
    "subscription": {
        "en": (
            (
                "I want to switch from the monthly plan to the annual one. What happens to the "
                "remaining days?"
            ),
            "Please turn off auto-renewal for my subscription, I will renew manually.",
            "My subscription renews in {days} days. Can I pause it instead of cancelling?",
        ),
        "ru": (
            "Хочу перейти с месячного тарифа на годовой. Что будет с оставшимися днями?",
            "Отключите, пожалуйста, автопродление подписки, продлю сам.",
            "Подписка продлится через {days} дней. Можно поставить её на паузу вместо отмены?",
        ),
    },
    "payment_failed": {
        "en": (
            (
                "My card payment for order {order} keeps failing with an error, but the bank says "
                "everything is fine."
            ),
            "I tried to pay €{eur} three times and the page just says 'payment declined'.",
            "The checkout page freezes after I enter the card code. Order {order} is still unpaid.",
        ),
        "ru": (
            (
                "Оплата заказа {order} картой не проходит, выдаёт ошибку, а банк говорит, что всё "
                "в порядке."
            ),
            "Три раза пытался оплатить {rub} ₽, на странице пишет «платёж отклонён».",
            (
                "После ввода кода из СМС страница оплаты зависает. Заказ {order} до сих пор не "
                "оплачен."
            ),
        ),
    },
    "delivery_delay": {
        "en": (
            (
                "My order {order} was due {days} days ago and it still has not arrived. The "
                "tracking has not updated since."
            ),
            (
                "The delivery of {product} is late again. I was promised delivery by Friday and "
                "nothing came."
            ),
            (
                "Order {order} is delayed by {days} days. Nobody told me about the delay, I had to "
                "find out myself."
            ),
        ),
        "ru": (
            (
                "Заказ {order} должны были привезти {days} дней назад, а его до сих пор нет. "
                "Трекинг не обновляется."
            ),
            (
                "Доставка {product} опять задерживается. Обещали привезти до пятницы, никто не "
                "приехал."
            ),
            (
                "Заказ {order} опаздывает уже на {days} дней. О задержке никто не предупредил, "
                "узнал сам."
            ),
        ),
    },
    "tracking": {
        "en": (
            "Could you tell me the tracking number for order {order}?",
            "What is the expected delivery date for {product}?",
            "The tracking page for order {order} shows 'in transit'. When should I expect it?",
        ),
        "ru": (
            "Подскажите трек-номер для заказа {order}.",
            "Какая ожидаемая дата доставки {product}?",
            "На странице отслеживания заказа {order} статус «в пути». Когда ждать?",
        ),
    },
    "damaged_item": {
        "en": (
            "{product} arrived with a cracked case and the box was crushed. I want a replacement.",
            "The parcel for order {order} was damaged and the item inside does not turn on.",
            "Received {product} today: the screen is scratched and parts are missing.",
        ),
        "ru": (
            "{product} пришёл с треснувшим корпусом, коробка смята. Хочу замену.",
            "Посылка с заказом {order} повреждена, товар не включается.",
            "Сегодня получил {product}: экран поцарапан, не хватает деталей.",
        ),
    },
    "address_change": {
        "en": (
            "Can I change the delivery address for order {order}? I will be at work that day.",
            "Please deliver order {order} to a pickup point instead of my home.",
            "I need to move the delivery of {product} to next week.",
        ),
        "ru": (
            "Можно изменить адрес доставки заказа {order}? В этот день я буду на работе.",
            "Доставьте, пожалуйста, заказ {order} в пункт выдачи, а не домой.",
            "Нужно перенести доставку {product} на следующую неделю.",
        ),
    },
    "missed_courier": {
        "en": (
            "I waited at home all day for order {order} and the courier never came or called.",
            (
                "The courier marked order {order} as 'customer not at home' but I was there the "
                "whole time."
            ),
            "This is the second time the courier missed the delivery window for {product}.",
        ),
        "ru": (
            "Весь день ждал заказ {order} дома, курьер так и не приехал и не позвонил.",
            "Курьер отметил заказ {order} как «клиента нет дома», хотя я был дома.",
            "Уже второй раз курьер не приезжает в выбранный интервал с {product}.",
        ),
    },
    "device_setup": {
        "en": (
            "I cannot finish the setup of {product}: it stops at the pairing step.",
            "How do I connect {product} to my home Wi-Fi? The instructions are not clear.",
            "After a factory reset {product} asks for a code I never received.",
        ),
        "ru": (
            "Не получается завершить настройку {product}: зависает на этапе сопряжения.",
            "Как подключить {product} к домашнему Wi-Fi? Инструкция непонятная.",
            "После сброса до заводских настроек {product} просит код, который мне не приходил.",
        ),
    },
    "connectivity": {
        "en": (
            "{product} loses the connection several times a day and I have to restart it.",
            "Since yesterday {product} shows 'offline' even though the internet works.",
            "The connection through {product} is very slow in the evenings.",
        ),
        "ru": (
            "{product} теряет связь несколько раз в день, приходится перезагружать.",
            "Со вчерашнего дня {product} показывает «не в сети», хотя интернет работает.",
            "Вечером соединение через {product} очень медленное.",
        ),
    },
    "outage": {
        "en": (
            "Your service has been down since this morning. None of my devices can connect.",
            "Is there an outage? {product} and the website both stopped working.",
            "Complete outage again. This is the second time this month and I rely on it for work.",
        ),
        "ru": (
            "С утра ваш сервис не работает, ни одно устройство не подключается.",
            "У вас сбой? Перестали работать и {product}, и сайт.",
            "Опять полный сбой. Второй раз за месяц, а мне это нужно для работы.",
        ),
    },
    "account_access": {
        "en": (
            "I cannot log in to my account: the password reset e-mail never arrives.",
            "My account was locked after three attempts. Please unlock it.",
            "The verification code does not come, so I cannot access my account.",
        ),
        "ru": (
            "Не могу войти в личный кабинет: письмо для сброса пароля не приходит.",
            "Аккаунт заблокировали после трёх попыток входа. Разблокируйте, пожалуйста.",
            "Не приходит код подтверждения, не могу зайти в аккаунт.",
        ),
    },
    "upgrade": {
        "en": (
            (
                "We would like to upgrade to the business plan and add {days} more users. What "
                "would it cost?"
            ),
            "Can I add {product} to my current subscription?",
            "I'm interested in {product}. Is there a discount for existing customers?",
        ),
        "ru": (
            (
                "Хотим перейти на бизнес-тариф и добавить ещё {days} пользователей. Сколько это "
                "будет стоить?"
            ),
            "Можно добавить {product} к моей текущей подписке?",
            "Интересует {product}. Есть ли скидка для действующих клиентов?",
        ),
    },
    "pricing": {
        "en": (
            "Why did my monthly price go up to €{eur}? I was not notified.",
            "What is the difference between the standard and the premium plan?",
            "Is the price of {product} going to change next month?",
        ),
        "ru": (
            "Почему ежемесячный платёж вырос до {rub} ₽? Меня не предупредили.",
            "Чем отличается стандартный тариф от премиального?",
            "Цена на {product} изменится в следующем месяце?",
        ),
    },
    "promo_code": {
        "en": (
            "The promo code from your newsletter does not work at checkout.",
            "The discount was not applied to order {order}, I paid the full €{eur}.",
            "Your ad promised {days}% off {product}, but the code is rejected.",
        ),
        "ru": (
            "Промокод из рассылки не срабатывает при оформлении заказа.",
            "Скидка не применилась к заказу {order}, заплатил полную сумму {rub} ₽.",
            "В рекламе обещали скидку {days}% на {product}, а код не принимается.",
        ),
    },
    "app_crash": {
        "en": (
            "Since the update to version {version} the app crashes as soon as I open it.",
            "The app closes itself when I open my orders. I reinstalled it, same problem.",
            "Version {version} crashes on my phone every time I try to pay.",
        ),
        "ru": (
            "После обновления до версии {version} приложение вылетает сразу при открытии.",
            (
                "Приложение закрывается, когда открываю раздел заказов. Переустанавливал — не "
                "помогает."
            ),
            "Версия {version} падает на моём телефоне каждый раз при оплате.",
        ),
    },
    "app_login": {
        "en": (
            "The app logs me out every time I close it and the SMS code arrives late.",
            "I can sign in on the website but not in the app: it says 'unknown error'.",
            "Face ID login stopped working in the app after version {version}.",
        ),
        "ru": (
            "Приложение выкидывает из аккаунта каждый раз, а код по СМС приходит с опозданием.",
            "На сайте войти получается, а в приложении пишет «неизвестная ошибка».",
            "После версии {version} перестал работать вход по Face ID.",
        ),
    },
    "app_feature": {
        "en": (
            "It would be great if the app showed the courier on a map.",
            "Please add the option to download invoices directly in the app.",
            "Could you add a dark mode and a widget with the order status?",
        ),
        "ru": (
            "Было бы удобно, если бы в приложении курьер отображался на карте.",
            "Добавьте, пожалуйста, возможность скачивать счета прямо в приложении.",
            "Сделайте тёмную тему и виджет со статусом заказа.",
        ),
    },
    "notifications": {
        "en": (
            "I get the same push notification five times a day. How do I turn it off?",
            "I stopped receiving notifications about my orders after the last update.",
            "Notifications about order {order} arrive a day late.",
        ),
        "ru": (
            "Одно и то же уведомление приходит по пять раз в день. Как отключить?",
            "После последнего обновления перестали приходить уведомления о заказах.",
            "Уведомления по заказу {order} приходят с опозданием на день.",
        ),
    },
}

#: Openings, closings and complaint sentences around a message body (spaces included).
GREETINGS: Bank = {
    "en": ("Hello! ", "Hi. ", "Good afternoon. ", "Hi team! ", ""),
    "ru": ("Здравствуйте! ", "Добрый день. ", "Привет. ", "Добрый вечер! ", ""),
}
SIGN_OFFS: Bank = {
    "en": (" Thanks.", " Thank you.", " Regards.", " Please help.", ""),
    "ru": (" Спасибо.", " Заранее спасибо.", " Помогите, пожалуйста.", " С уважением.", ""),
}
COMPLAINT_TAILS: Bank = {
    "en": (
        " This is unacceptable.",
        " I am very disappointed with your service.",
        " I want this fixed today.",
        " If this is not solved I will cancel my subscription.",
        " I have already written to you about this before.",
    ),
    "ru": (
        " Это недопустимо.",
        " Очень разочарован вашим сервисом.",
        " Прошу решить вопрос сегодня же.",
        " Если не решите, откажусь от подписки.",
        " Я уже писал вам об этом раньше.",
    ),
}

#: Survey comment templates per kind: one kind per low-score reason, then general kinds.
COMMENTS: dict[str, Bank] = {
    "long wait": {
        "en": (
            "I waited {minutes} minutes to get through to an operator.",
            "Far too long on hold, {minutes} minutes.",
            "The answer to my e-mail took almost two days.",
        ),
        "ru": (
            "Ждал ответа оператора {minutes} минут.",
            "Слишком долго висел на линии.",
            "Ответа на письмо ждал почти двое суток.",
        ),
    },
    "issue not resolved": {
        "en": (
            "My problem is still not solved.",
            "They closed the ticket but nothing was fixed.",
            "I had to contact you again because the issue came back.",
        ),
        "ru": (
            "Проблема так и не решена.",
            "Заявку закрыли, а ничего не исправили.",
            "Пришлось обращаться повторно, проблема вернулась.",
        ),
    },
    "low expertise": {
        "en": (
            "The operator did not know the product and read from a script.",
            "Nobody could explain how {product} works.",
            "I knew more about the issue than the agent.",
        ),
        "ru": (
            "Оператор не разбирается в продукте, читает по скрипту.",
            "Никто не смог объяснить, как работает {product}.",
            "Я знаю о проблеме больше, чем сотрудник поддержки.",
        ),
    },
    "rude or unhelpful": {
        "en": (
            "The agent was rude and interrupted me.",
            "Unfriendly tone, I felt like a nuisance.",
            "The answer was a copy-paste that did not help at all.",
        ),
        "ru": (
            "Сотрудник грубил и перебивал.",
            "Неприветливый тон, как будто я мешаю.",
            "Ответили шаблоном, который вообще не помог.",
        ),
    },
    "had to repeat myself": {
        "en": (
            "I had to explain my problem three times to different people.",
            "Every new agent asked me the same questions again.",
            "Why do I have to repeat my order number every time?",
        ),
        "ru": (
            "Пришлось три раза объяснять проблему разным людям.",
            "Каждый новый оператор задавал те же вопросы заново.",
            "Почему каждый раз нужно заново называть номер заказа?",
        ),
    },
    "too many transfers": {
        "en": (
            "I was transferred from one department to another.",
            "Four transfers before someone could help.",
            "I kept being passed between support and billing.",
        ),
        "ru": (
            "Меня переключали из отдела в отдел.",
            "Четыре переключения, прежде чем кто-то помог.",
            "Гоняли между поддержкой и бухгалтерией.",
        ),
    },
    "negative": {
        "en": (
            "Prices keep going up while the service gets worse.",
            "{product} breaks too often.",
            "Not worth the money any more.",
        ),
        "ru": (
            "Цены растут, а сервис становится хуже.",
            "{product} слишком часто ломается.",
            "Уже не стоит своих денег.",
        ),
    },
    "positive": {
        "en": (
            "Quick and friendly help, thank you!",
            "The agent solved everything in one call.",
            "Great service, very clear explanation.",
            "Problem solved in {minutes} minutes, impressive.",
            "Very happy with {product} and your support.",
        ),
        "ru": (
            "Быстро и вежливо помогли, спасибо!",
            "Оператор решил всё за один звонок.",
            "Отличный сервис, всё понятно объяснили.",
            "Решили проблему за {minutes} минут, впечатляет.",
            "Очень доволен {product} и вашей поддержкой.",
        ),
    },
    "neutral": {
        "en": ("It was OK.", "Fine, nothing special.", "Solved, but it took a while."),
        "ru": ("Нормально.", "В целом нормально, ничего особенного.", "Решили, но не сразу."),
    },
    "suggestion": {
        "en": (
            "It would be great if I could see my place in the queue while waiting.",
            "Please add a chat in the app so I don't have to call.",
            "It would be great if you sent SMS updates about my ticket.",
            "Please add support hours at the weekend.",
            "A callback option would be better than waiting on the line.",
        ),
        "ru": (
            "Было бы удобно, если бы было видно место в очереди.",
            "Добавьте, пожалуйста, чат в приложении, чтобы не звонить.",
            "Было бы удобно, если бы статус заявки приходил по СМС.",
            "Добавьте, пожалуйста, поддержку по выходным.",
            "Сделайте обратный звонок вместо ожидания на линии.",
        ),
    },
}

#: Sentences with contact details some customers leave in a comment (for the masking feature).
CONTACT_TAILS: Bank = {
    "en": (
        " Call me back at {phone}.",
        " My email is {email}, please write to me.",
        " You can reach me on {phone}.",
    ),
    "ru": (" Перезвоните мне: {phone}.", " Напишите мне на {email}.", " Мой телефон {phone}."),
}
