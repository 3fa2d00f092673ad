/**
 * The pt-BR concept lexicon (see concepts.ts): folded words, grouped by the customer need
 * they name. Written from general Brazilian customer-service vocabulary across the trades
 * small businesses run on WhatsApp (retail, food, health, pets, fitness, beauty, telecom,
 * services), never from one knowledge base's test messages. A word may name several
 * concepts; a word that means unrelated things ("carne": meat and payment booklet) is left
 * out, since the router cannot tell which is meant.
 */
export const PT_CONCEPTS: Record<string, string> = {
  pay: `pagar pago paguei pagamento pagamentos pagando pague pagou pix chave boleto boletos fatura faturas cartao
    credito debito parcela parcelas parcelar parcelado parcelamento vezes juros multa vencimento vencido venceu
    mensalidade mensalidades cobranca cobrancas cobrado cobrada cobraram cobrar cobrando cobrou estorno estornar
    estornaram reembolso reembolsar dinheiro desconto cupom compensar compensou quitar quitacao divida dividir
    negociar loterica transferencia deposito comprovante aprovado recusado gerado gerar expirou troco maquininha
    financeiro financeira financas faturamento acordo inadimplente negativado serasa spc sodexo alelo vr
    refeicao saldo cheque cashback pendurada pendente aberto debitado debitaram duplicado duplicada pagamento
    recorrente
    aumentou aumentaram reajuste mais cara caro`,
  invoice: `nota notas fiscal fiscais recibo recibos comprovante comprovantes cnpj cpf imposto declaracao extrato
    nf nfe danfe xml reembolso`,
  price: `preco precos custa custo custam valor valores quanto quanta barato caro orcamento tabela taxa taxas gratis
    gratuito cobra cobram sai fica promocao`,
  schedule: `marcar marcacao marcado marcada agendar agendamento agendamentos agendado agenda horario horarios
    remarcar reagendar desmarcar encaixe vaga vagas disponibilidade disponivel dia dias data hora horas amanha
    semana sabado consulta consultas retorno atrasar atraso recepcao hoje`,
  cancel: `cancelar cancelamento cancelado cancelada cancela cancelo cancelei encerrar encerramento rescindir rescisao
    desistir desisti distrato sair suspender suspensao pausar fidelidade multa portabilidade trancar trancamento
    congelar congelamento desvincular
    cansei encerra`,
  delivery: `entrega entregas entregar entregou entregue entregador entregadores pedido pedidos rastreio rastrear
    rastreamento correio correios transportadora envio enviar enviado enviaram despachar despachado despacharam
    despacho frete chegou chegar chega chegando encomenda encomendas prazo postado postagem retirar retirada
    atrasado endereco status separacao acompanhar acompanhamento pedir pedi motoboy motoqueiro ifood balcao
    delivery logistica expedicao encomendei comprei comprou compramos faltou faltando falta faltava esqueceram esqueceu incompleto
    demorando demora demorou cade previsao aguardando bairro regiao area cep raio entregam domicilio porteiro
    portaria condominio receber recebi recebido mandam manda mandar`,
  exchange: `trocar troca trocas devolver devolucao devolucoes devolvo reembolso defeito defeituoso quebrado quebrada
    quebrou rachado rachada amassado estragado estragou arrependi arrependimento garantia usado diferente errado
    errada desisti desistir devolvi avariado manchado rasgado furado descosturado vencida vencido`,
  broken: `funciona funcionar funcionando parou quebrou defeito estragou queimou barulho esquenta esquentando liga
    desliga travando trava falha erro problema suporte tecnico tecnica assistencia conserto consertar
    reparo visita pifou
    chamado protocolo ninguem resolveu`,
  connection: `internet wifi sinal rede conexao conectar conecta conectado desconecta desconectando lenta lento
    lentidao caiu cai caindo oscilando oscila velocidade roteador modem fibra mega giga download ping site sites
    navegar streaming
    upload teste testei wifi`,
  product: `produto produtos cor cores tamanho tamanhos medida medidas voltagem bivolt material algodao vidro
    plastico inox litros capacidade peso modelo modelos estoque original marca marcas tecido manual montado
    montagem acompanha vem serve cabe lavavel colecao atacado revenda quantidade unidades fisica lancamento
    preto branco cinza azul vermelho verde amarelo rosa bege marrom largura altura comprimento metros centimetros
    numeracao indica recomenda indicacao sugestao lancamentos novidade novidades blackfriday black friday
    estampa eletrico eletrica vende vendem vendendo trabalham procurando diferenca linha sabor sabores`,
  item: `microondas fogao geladeira panela panelas frigideira garrafa termica copo copos caneca canecas
    talheres faca pote potes tapete cortina toalha lencol edredom travesseiro almofada sofa cadeira luminaria
    lampada abajur cafeteira liquidificador batedeira aspirador ventilador airfryer fritadeira forno jogo kit
    organizador espelho vaso camisa camiseta calca vestido sapato tenis bolsa celular fone carregador cabo peca
    pecas item itens saco caixa unidade`,
  petSupplies: `racao racoes petisco petiscos sache saches bifinho osso areia granulado sanitario coleira peitoral
    brinquedo brinquedos bolinha caminha cama casinha comedouro bebedouro antipulga antipulgas vermifugo
    shampoo higienico aquario filtro gaiola feno alpiste arranhador focinheira transportadora roupinha
    golden premier royal canin guabi whiskas pedigree filhote adulto castrado`,
  sales: `contratar assinar assinatura plano planos upgrade aumentar cliente promocao promocoes oferta
    ofertas combo pacote cobertura instalar instalacao comprar compra novo nova conhecer comercial contratei
    vendas venda vendedor consultor matricula matricular adesao experimental mensal trimestral semestral anual
    diaria
    anuncio anunciado`,
  symptom: `dor doi doendo febre vomito vomitando vomitou diarreia tosse tossindo espirro espirrando mancando manca
    machucado machucou ferida ferimento sangrando sangue inchado inchada inchou inchaco coceira cocando coca
    alergia alergico alergica urgente urgencia emergencia plantao picado picada tremendo tremor mal doente sintoma
    sintomas enjoo nausea tontura desmaio desmaiou fraco fraqueza mancha manchas caroco nodulo infeccao
    inflamacao pus olho olhos ouvido remela remelento sarna pulga pulgas carrapato carrapatos verme vermes
    engasgou envenenado intoxicado comeu ingeriu gravida prenha parto respirando respirar`,
  care: `vacina vacinas vacinar vacinacao reforco dose cirurgia cirurgias operar operacao castrar castracao
    internacao internar internado microchip procedimento anestesia sedar sedacao veterinario veterinaria vet
    medico medica doutor doutora dr dra especialista clinico clinica tratamento curativo pontos ortopedista
    cardiologista dermatologista dermato pediatra ginecologista oftalmologista dentista psicologo nutricionista
    fisioterapia fisioterapeuta atende`,
  exam: `exame exames coleta coletar sangue urina fezes ultrassom ultrassonografia raio tomografia ressonancia
    mamografia eletrocardiograma hemograma glicemia colesterol laboratorio resultado resultados jejum preparo
    laudo biopsia`,
  healthPlan: `convenio convenios plano planos saude carteirinha guia guias autorizacao autorizar autorizada
    credenciado credenciada cobertura cobre coparticipacao operadora particular unimed amil bradesco sulamerica
    hapvida`,
  prescription: `receita receitas receitar receitou remedio remedios medicamento medicamentos atestado atestados
    laudo laudos relatorio declaracao encaminhamento dose tomar tomando tomou efeito colateral alergia tratamento`,
  grooming: `banho banhos tosa tosar tosado tosador tosadora hidratacao hidratar pelo pelos pelagem corte cortar
    unha unhas escovar escovacao escova perfume laco lacinho desembolar embolado higienica tosquia lavar lavagem
    cheiroso pronto pronta buscar busca buscam leva levam taxi cabelo progressiva manicure pedicure sobrancelha
    depilacao maquiagem mechas luzes coloracao tintura barba penteado salao`,
  classes: `aula aulas turma turmas professor professora instrutor instrutora grade modalidade modalidades treino
    treinos treinar musculacao spinning pilates yoga crossfit funcional zumba natacao hidroginastica luta
    jiu muay boxe danca ritmos alongamento piscina personal`,
  assessment: `avaliacao fisica bioimpedancia gordura imc dobras balanca percentual massa magra medidas peso
    anamnese ficha reavaliacao evolucao`,
  menu: `cardapio prato pratos comida almoco jantar lanche lanches pizza pizzas molho ingrediente ingredientes
    vegano vegana vegetariano vegetariana gluten lactose bebida bebidas suco refrigerante cerveja vinho sobremesa
    porcao porcoes marmita marmitas marmitex executivo rodizio apimentado risoto camarao lasanha massa massas
    frango peixe salada hamburguer batata arroz feijao churrasco sushi acai sorvete bolo doce salgado pastel
    esfiha sanduiche entrada buffet quentinha leva opcao opcoes picante tempero borda recheio`,
  venue: `mesa mesas reserva reservas reservar salao espaco evento eventos aniversario confraternizacao
    funcionamento abre abrem aberto aberta fecha fecham fechado feriado estacionamento acessibilidade cadeirante
    musica kids cadeirinha crianca criancas bebe infantil brinquedoteca fraldario domingo domingos lotado fila
    madrugada`,
  complaint: `reclamacao reclamacoes reclamar gostei gostou horrivel pessimo pessima absurdo ruim grosso grossa
    grosseiro grosseira mal educado educada desrespeito descaso vergonha insatisfeito insatisfeita decepcionado
    decepcionada torto torta ficou queimaram queimou descascou estragaram esperei esperando demoraram atendida
    atendido ignoraram ninguem respondeu horrorizada horrorizado refazer chorou
    procon juizado processo processar justica advogado anatel ouvidoria queixa queixas denuncia denunciar
    reclamei reclamando enganou enganaram enganado enganada enganosa enrolam enrolando enrolacao`,
  account: 'senha login cadastro conta acesso app aplicativo usuario email perfil',
  move: 'mudanca mudando endereco transferir transfiro levar',
}
