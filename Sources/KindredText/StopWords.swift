/// Stop-word lists per language: function words that say nothing about a story's subject.
///
/// Written for Kindred from each language's closed word classes (articles, pronouns, auxiliaries,
/// prepositions, conjunctions, common adverbs). Words appear as `ApostropheFilter` leaves them
/// (`dont`, not `don't`). Idf already discounts frequent words; removing these also keeps them out
/// of phrases, so that `of the` never becomes a bigram.
public enum StopWords {
    /// The list for a primary language subtag; empty for languages without one.
    public static func list(for language: String?) -> Set<String> {
        guard let language, let words = lists[language] else { return [] }
        return words
    }

    static let lists: [String: Set<String>] = [
        "en": words(
            """
            a about above across after afterwards again against all almost alone along already also although
            always am among amongst an and another any anyhow anyone anything anyway anywhere are around as at
            be became because become becomes becoming been before beforehand behind being below beside besides
            between beyond both but by can cannot could did do does doing done down during each either else
            elsewhere enough etc even ever every everyone everything everywhere except few for former formerly
            from further had has have having he hence her here hereafter hereby herein hers herself him himself
            his how however i ie if in indeed instead into is it its itself just least less many may me meanwhile
            might mine more moreover most mostly much must my myself namely neither never nevertheless next no
            nobody none noone nor not nothing now nowhere of off often on once one only onto or other others
            otherwise our ours ourselves out over own per perhaps rather same several she should since so some
            somehow someone something sometime sometimes somewhere still such than that the their theirs them
            themselves then thence there thereafter thereby therefore therein these they this those though
            through throughout thru thus to together too toward towards under until up upon us very via was we
            well were what whatever when whence whenever where whereas whereby wherein whether which while whither
            who whoever whole whom whose why will with within without would yet you your yours yourself yourselves
            dont doesnt didnt isnt arent wasnt werent wont wouldnt cant couldnt shouldnt hasnt havent hadnt
            im ive youre youve youd youll hes shes its were weve theyre theyve theyd theyll
            thats theres whats lets
            """),
        "de": words(
            """
            aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes auch auf
            aus bei bin bis bist da damit dann das dass dasselbe dazu dein deine deinem deinen deiner dem demselben
            den denn der derer derselbe derselben des desselben dessen dich die dies diese dieselbe dieselben
            diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines einig einige einigem
            einigen einiger einiges einmal er es etwas euch euer eure eurem euren eurer für gegen gewesen hab habe
            haben hat hatte hatten hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im in indem
            ins ist jede jedem jeden jeder jedes jene jenem jenen jener jenes jetzt kann kein keine keinem keinen
            keiner keines können könnte machen man manche manchem manchen mancher manches mein meine meinem meinen
            meiner meines mich mir mit muss musste nach nicht nichts noch nun nur ob oder ohne sehr sein seine
            seinem seinen seiner seines selbst sich sie sind so solche solchem solchen solcher solches soll sollte
            sondern sonst über um und uns unsere unserem unseren unser unseres unter viel vom von vor während war
            waren warst was weg weil weiter welche welchem welchen welcher welches wenn werde werden wie wieder
            will wir wird wirst wo wollen wollte würde würden zu zum zur zwar zwischen
            """),
        "fr": words(
            """
            au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je la le les leur leurs lui
            ma mais me même mes moi mon ne nos notre nous on ou où par pas pour qu que qui quoi sa se ses son sur
            ta te tes toi ton tu un une vos votre vous été être avoir ai as avons avez ont avait avaient aura
            auront est sont était étaient sera seront fait faire comme plus moins très aussi bien encore déjà
            donc alors ainsi si tout tous toute toutes autre autres entre sans sous chez depuis pendant après
            avant contre vers selon lors dont cela ça ceci celui celle ceux celles
            """),
        "es": words(
            """
            a al algo algunas algunos ante antes como con contra cual cuando de del desde donde durante e el él
            ella ellas ellos en entre era erais eran eras eres es esa esas ese eso esos esta estaba estaban estado
            estamos estar estas este esto estos estoy fue fueron fui ha habéis haber había habían han has hasta
            hay he la las le les lo los más me mi mis mucho muchos muy nada ni no nos nosotros o os otra otras
            otro otros para pero poco por porque que quien quienes qué se sea sean ser será si sí siendo sin
            sobre son su sus también tanto te tiene tienen todo todos tu tus un una uno unos usted vosotros y ya yo
            """),
        "it": words(
            """
            a ad al alla alle allo agli ai anche avere aveva avevano che chi ci come con contro da dal dalla dalle
            dallo dagli dai del della delle dello degli dei di dove e ed è era erano essere fa gli ha hanno ho i
            il in io la le lei lo loro lui ma mi mia mie miei mio ne nei nel nella nelle nello negli no noi non
            nostra nostre nostri nostro o ogni per perché più poi quale quali quando quanto quella quelle quelli
            quello questa queste questi questo se sei si sia siamo sono sta stato su sua sue sui sul sulla sulle
            suo suoi ti tra tu tua tue tuo tuoi tutti tutto un una uno vi voi
            """),
        "pt": words(
            """
            a à ao aos as às até com como da das de dela delas dele deles depois do dos e é ela elas ele eles em
            entre era eram essa essas esse esses esta estas este estes eu foi foram há isso isto já lhe lhes mais
            mas me mesmo meu meus minha minhas muito na nas não nem no nos nós o os ou para pela pelas pelo pelos
            por qual quando que quem se sem ser será seu seus só sua suas também te tem têm ter teu tu tua um uma
            umas uns você vocês vos
            """),
        "tr": words(
            """
            acaba ama ancak artık aslında ayrıca az bana bazı belki ben beni benim bile bir biri birkaç
            birçok birşey biz bize bizi bizim bu buna bunda bundan bunlar bunları bunların bunu bunun burada
            böyle bütün çok çünkü da daha dahi de defa değil diğer diye dolayı en gibi göre hem henüz hep
            hepsi her herkes hiç için ile ise işte kadar karşı kendi kendine kez ki kim kimse mi mı mu mü
            nasıl ne neden nerede nereye niçin niye o olan olarak oldu olduğu olduğunu olmak olması olup olur
            ona onlar onları onların onu onun orada öyle önce sadece sanki sen siz şey şimdi şu şuna şunu
            tarafından tüm üzere var ve veya ya yani yine yok zaten
            """),
        "pl": words(
            """
            a aby ale ani az bardzo bez bo by byc byl byla bylo byly będzie będą był była było były być co
            czy dla do dlatego gdy gdyż gdzie go i ich im innych jak jakie jako je jednak jego jej jest
            jeszcze jeśli już ja ją kiedy kto która które którego której który których którym którzy ku
            lub ma mają miał miała mnie może można mu my na nad nam nas nawet nich nie niej nim no o od oraz
            on ona one oni ono po pod podczas przed przez przy również się sobie swoje są ta tak także tam
            te tego tej ten też to tu tych tylko tym u w we wie więc wszystko wszystkich wy z za ze że żeby
            został została zostało zostały
            """),
        "ar": words(
            """
            أن أو أي أيضا إذا إلى إن التي الذي الذين اللذين بعد بعض بين تلك ثم حتى حيث خلال ذلك على عليه
            عليها عن عند غير فقد فهو فهي في فيه فيها قبل قد كان كانت كل كما لا لقد لم لن له لها لهم ما مع
            منذ من منها منه هذا هذه هم هو هي وأن وإن والتي والذي وفي وقد وكان وكانت ولا وما ومن وهو وهي يكون
            """),
        "nl": words(
            """
            aan al alles als altijd andere ben bij daar dan dat de der deze die dit doch doen door dus een eens en
            er ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun iemand iets ik in is ja je kan
            kon kunnen maar me meer men met mij mijn moet na naar niet niets nog nu of om omdat onder ons ook op
            over reeds te tegen toch toen tot u uit uw van veel voor want waren was wat we wel werd wezen wie wij
            wil worden wordt zal ze zelf zich zij zijn zo zonder zou
            """),
    ]

    private static func words(_ text: String) -> Set<String> {
        Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
    }
}
